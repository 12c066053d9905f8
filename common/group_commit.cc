#include "common/group_commit.h"

#include <spdlog/spdlog.h>

namespace combfs {

Result<void> GroupCommit::wait_durable(uint64_t seq, std::chrono::microseconds patience) {
  if (!sync_ || durable_.load(std::memory_order_acquire) >= seq) return {};
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!failure_.ok()) return std::unexpected(failure_);
    if (durable_.load(std::memory_order_acquire) >= seq) return {};
    if (syncing_) {
      // The sync in progress may have begun before our commit; wait for it
      // and look again (the next sync is then ours to run or to join).
      synced_.wait(lock);
      continue;
    }
    if (std::chrono::steady_clock::now() < deadline) {
      // Every finished sync wakes us: one another thread ran may cover us.
      synced_.wait_until(lock, deadline);
      continue;
    }
    syncing_ = true;
    // Every commit numbered so far has reached the file: this sync covers it.
    const uint64_t target = committed_.load(std::memory_order_acquire);
    lock.unlock();
    Result<void> r = sync_();
    lock.lock();
    syncing_ = false;
    syncs_.fetch_add(1, std::memory_order_relaxed);
    if (r) {
      durable_.store(std::max(durable_.load(std::memory_order_relaxed), target), std::memory_order_release);
    } else {
      failure_ = r.error();
      spdlog::critical("sync of committed changes failed: {}; nothing committed since can be promised durable: "
                       "restart this daemon (it recovers what reached the disk) after checking the disk",
                       failure_.to_string());
    }
    synced_.notify_all();
  }
}

}  // namespace combfs
