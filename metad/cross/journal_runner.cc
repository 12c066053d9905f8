#include "metad/cross/journal_runner.h"

#include <spdlog/spdlog.h>

#include "common/daemon.h"
#include "metad/store/journal_steps.h"

namespace combfs::metad {

namespace {
// applied_ops rows outlive any coordinator's retries by far.
constexpr int64_t kAppliedOpsAgeNs = int64_t(24) * 3600 * 1000000000;
}  // namespace

JournalRunner::JournalRunner(MetaStore& store, Peers& peers) : store_(store), peers_(peers) { adopt_all(); }

void JournalRunner::adopt_all() {
  auto records = store_.journal_records();
  std::lock_guard lock(mutex_);
  boundary_ = 1;
  if (records && !records->empty()) boundary_ = records->back().first + 1;
}

void JournalRunner::hand_over(int64_t seq) {
  auto record = store_.journal_record(seq);
  if (record && !*record) return;  // finished
  {
    std::lock_guard lock(mutex_);
    adopted_.insert(seq);
    woken_ = true;
  }
  cv_.notify_all();
}

Result<void> JournalRunner::undo(int64_t seq, const proto::MetaJournalRecord& r) {
  for (const auto& step : r.undo()) COMBFS_CHECK(peers_.run(step));
  return store_.journal_delete(seq);
}

Result<void> JournalRunner::redo(int64_t seq, const proto::MetaJournalRecord& r) {
  for (const auto& step : r.redo()) COMBFS_CHECK(peers_.run(step));
  return store_.journal_delete(seq);
}

Result<void> JournalRunner::finish(int64_t seq) {
  auto found = COMBFS_TRY(store_.journal_record(seq));
  if (!found) return {};
  proto::MetaJournalRecord r = std::move(*found);
  if (r.state() == proto::JOURNAL_COMMITTED) return redo(seq, r);
  if (r.op() != proto::JOURNAL_RENAME_OUT) return undo(seq, r);

  // The commit point of a rename into another metad is its insert there:
  // ask, and make sure a late copy of the insert is refused if it did not happen.
  proto::RemoteOpAppliedRequest probe;
  probe.set_origin(r.insert().origin());
  probe.set_op(r.insert().op());
  probe.set_fence(true);
  auto applied = COMBFS_TRY(peers_.call(r.insert_node(), probe));
  if (!applied.applied()) return undo(seq, r);
  COMBFS_CHECK(store_.rename_out_commit(seq, applied.response()));
  auto committed = COMBFS_TRY(store_.journal_record(seq));
  if (!committed) return {};
  return redo(seq, *committed);
}

size_t JournalRunner::run_all() {
  auto records = store_.journal_records();
  if (!records) {
    spdlog::error("journal: cannot list records: {}", records.error().to_string());
    return 1;
  }
  size_t left = 0;
  for (const auto& [seq, record] : *records) {
    {
      std::lock_guard lock(mutex_);
      if ((seq >= boundary_ && !adopted_.contains(seq)) || running_.contains(seq)) continue;
      running_.insert(seq);
    }
    auto done = finish(seq);
    {
      std::lock_guard lock(mutex_);
      running_.erase(seq);
      if (done) adopted_.erase(seq);
    }
    if (done) {
      spdlog::info("journal: finished {}", describe(record));
    } else {
      ++left;
      spdlog::warn("journal: cannot finish {} yet (will retry): {}", describe(record), done.error().to_string());
    }
  }
  return left;
}

void JournalRunner::start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    int64_t last_prune = 0;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      woken_ = false;
      lock.unlock();
      size_t left = run_all();
      if (now_ms() - last_prune > 3600 * 1000) {
        if (auto pruned = store_.prune_applied(kAppliedOpsAgeNs); !pruned)
          spdlog::warn("journal: cannot prune applied ops: {}", pruned.error().to_string());
        last_prune = now_ms();
      }
      lock.lock();
      if (stopping_) break;
      // Idle until woken; with records left, retry after `interval`.
      if (left == 0)
        cv_.wait_for(lock, std::chrono::minutes(1), [this] { return woken_ || stopping_; });
      else
        cv_.wait_for(lock, interval, [this] { return woken_ || stopping_; });
    }
  });
}

void JournalRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JournalRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

}  // namespace combfs::metad
