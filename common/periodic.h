// Periodic: one background thread that runs a task, pauses, and runs it
// again until stop(). The task says how long to pause after it, so a caller
// whose pace changes (a lease learned from a server) needs no second thread.
// This is the start/stop/wake loop that daemons and clients otherwise write
// by hand around a thread and a condition variable.
//
// Thread-safe. The task runs on the Periodic's thread only, never twice at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace combfs {

class Periodic {
 public:
  // Returns the pause before the next run.
  using Task = std::function<std::chrono::milliseconds()>;

  Periodic() = default;
  ~Periodic() { stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  // Starts the thread; it runs `task` at once, then again after each pause.
  // A second start() while running does nothing.
  void start(Task task);
  // Ends the current pause early: the task runs again now.
  void wake();
  // Waits for a running task to finish and joins the thread; idempotent.
  // REQUIRES: not called from the task.
  void stop();
  bool running() const;

 private:
  void loop(Task task);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  bool woken_ = false;     // GUARDED_BY(mutex_)
  std::thread thread_;     // GUARDED_BY(mutex_)
};

}  // namespace combfs
