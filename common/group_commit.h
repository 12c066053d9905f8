// Group commit: many transactions committed without a sync each, made durable
// by one sync that answers all of them.
//
// The owner of a database commits under its own lock and calls committed() for
// each commit (cheap: it only numbers it). Before anything that depends on a
// commit leaves the process (a reply, a request to another daemon, the removal
// of a chunk), the thread calls wait_durable(seq): the first waiter runs one
// sync covering every commit numbered before the sync began, the others wait
// for it and are answered by it, or by the next one if they came too late.
// A store that waits before every return (metad) so answers nothing that a
// power loss could take back, at the price of one sync per batch of requests.
//
// A waiter whose caller is not waiting for it (a Close sent after close(2)
// returned, a chunk removal) may be patient: it first waits a while for a
// sync that someone else runs anyway. One client creating files one by one
// then pays one sync per file instead of two (create, then its Close), and
// the answer still only leaves once the change is durable.
//
// A sync that fails makes every later wait fail too: after a failed fsync the
// kernel may have dropped the dirty pages, so nothing committed since can be
// promised (PostgreSQL's "fsyncgate" lesson); the daemon must be restarted,
// which replays the WAL from what really reached the disk.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"

namespace combfs {

class GroupCommit {
 public:
  // `sync` makes every commit made before it was called durable. Without one
  // (commits durable by themselves, or durability turned off) waits return at once.
  explicit GroupCommit(std::function<Result<void>()> sync) : sync_(std::move(sync)) {}

  // Numbers one more commit and returns its number. Call after each commit,
  // in commit order (under the database's lock).
  uint64_t committed() { return committed_.fetch_add(1, std::memory_order_acq_rel) + 1; }
  // The number of the last commit so far (what a reader may have seen).
  uint64_t last_committed() const { return committed_.load(std::memory_order_acquire); }

  // Returns once commit `seq` (and every earlier one) is durable. With
  // `patience`, waits that long for a sync run by another thread before
  // running one itself.
  Result<void> wait_durable(uint64_t seq, std::chrono::microseconds patience = {});

  // Syncs run so far (for tests and metrics: requests per sync).
  uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }

 private:
  std::function<Result<void>()> sync_;
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> durable_{0};
  std::atomic<uint64_t> syncs_{0};
  std::mutex mutex_;
  std::condition_variable synced_;
  bool syncing_ = false;  // GUARDED_BY(mutex_)
  Status failure_;        // GUARDED_BY(mutex_): the first sync error, for good
};

}  // namespace combfs
