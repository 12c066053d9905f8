// Drives the journal records of cross-owner operations to their end: a
// COMMITTED record has its `redo` steps sent, an INTENT record is rolled back
// with `undo` (a rename into another metad first asks that metad whether the
// insert happened, fencing it off if not, and rolls forward when it did).
// Then the record is deleted. Request handlers drive their own records; the
// worker takes the records that existed when this runner was made (left by a
// crash) and those a handler gave up on (a metad was down): a record a
// handler is still building is never touched.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>

#include "metad/cross/peers.h"

namespace combfs::metad {

class JournalRunner {
 public:
  JournalRunner(MetaStore& store, Peers& peers);
  ~JournalRunner() { stop(); }

  // A handler's record: when the Claim ends and the record is still there
  // (a step failed, or a test crash point stopped the handler), the worker
  // takes it over.
  class Claim {
   public:
    Claim(JournalRunner& r, int64_t seq) : r_(&r), seq_(seq) {}
    Claim(Claim&& o) noexcept : r_(o.r_), seq_(o.seq_) { o.r_ = nullptr; }
    Claim(const Claim&) = delete;
    ~Claim() {
      if (r_) r_->hand_over(seq_);
    }

   private:
    JournalRunner* r_;
    int64_t seq_;
  };

  // Drives record `seq` to its end and deletes it. The first failing step
  // stops it (the record stays for the worker) and is returned. A record
  // that is gone already is fine.
  Result<void> finish(int64_t seq);

  // finish() for every record the worker may take, oldest first. Returns the
  // number of those left (failed).
  size_t run_all();
  // Lets the worker take every record, as after a restart (tests).
  void adopt_all();

  // The worker: run_all() at start, on wake() and every `interval` while
  // records are left.
  void start(std::chrono::milliseconds interval);
  void stop();
  void wake();

 private:
  void hand_over(int64_t seq);
  Result<void> undo(int64_t seq, const proto::MetaJournalRecord& r);
  Result<void> redo(int64_t seq, const proto::MetaJournalRecord& r);

  MetaStore& store_;
  Peers& peers_;
  std::mutex mutex_;
  int64_t boundary_ = 0;        // GUARDED_BY(mutex_): records below it predate this runner
  std::set<int64_t> adopted_;   // GUARDED_BY(mutex_): records handlers gave up on
  std::set<int64_t> running_;   // GUARDED_BY(mutex_): being finished by run_all
  std::condition_variable cv_;
  bool woken_ = false;     // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace combfs::metad
