// Runs an action (closing a socket) when a deadline passes, unless disarmed
// first. Create it with the coroutine's own executor (a strand), so the action
// never runs concurrently with the coroutine, and after disarm() never at all —
// even if the timer had already fired and its handler was queued.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "common/rpc/asio.h"

namespace combfs::rpc {

class Watchdog {
 public:
  template <class Executor>
  Watchdog(const Executor& ex, std::chrono::steady_clock::time_point deadline, std::function<void()> on_expire)
      : state_(std::make_shared<State>()), timer_(ex, deadline) {
    state_->on_expire = std::move(on_expire);
    timer_.async_wait([s = state_](boost::system::error_code ec) {
      if (ec || !s->armed) return;
      s->fired = true;
      s->on_expire();
    });
  }
  ~Watchdog() { disarm(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void disarm() {
    state_->armed = false;
    timer_.cancel();
  }
  bool fired() const { return state_->fired; }

 private:
  struct State {
    bool armed = true;
    bool fired = false;
    std::function<void()> on_expire;
  };
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
};

}  // namespace combfs::rpc
