#include "common/periodic.h"

namespace combfs {

void Periodic::start(Task task) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, task = std::move(task)] { loop(task); });
}

void Periodic::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Periodic::stop() {
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

bool Periodic::running() const {
  std::lock_guard lock(mutex_);
  return thread_.joinable();
}

void Periodic::loop(Task task) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    const auto pause = task();
    lock.lock();
    cv_.wait_for(lock, pause, [this] { return stopping_ || woken_; });
  }
}

}  // namespace combfs
