// Which entries a migration has frozen: while a directory is copied to
// another metad, requests about it or its files are answered "busy, retry"
// (UNAVAILABLE, which clients retry) instead of changing rows that are being
// copied. Requests that were already running when a freeze began are waited
// for, so the copy starts from rows nobody is changing.
//
// Thread-safe. A request holds a Pass while it runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/entry_id.h"

namespace combfs::metad {

class MigrationGate {
 public:
  class Pass {
   public:
    Pass() = default;
    Pass(MigrationGate* gate, std::vector<EntryId> ids) : gate_(gate), ids_(std::move(ids)) {}
    Pass(Pass&& o) noexcept : gate_(o.gate_), ids_(std::move(o.ids_)) { o.gate_ = nullptr; }
    Pass& operator=(Pass&&) = delete;
    Pass(const Pass&) = delete;
    ~Pass() {
      if (gate_) gate_->leave(ids_);
    }

   private:
    MigrationGate* gate_ = nullptr;
    std::vector<EntryId> ids_;
  };

  // A pass for a request about `ids`; nullopt when one of them is frozen.
  std::optional<Pass> enter(const std::vector<EntryId>& ids);

  // Freezes `ids` and waits until no request about them is running. False
  // when they did not drain within `patience` (they are thawed again).
  bool freeze(const std::vector<EntryId>& ids, std::chrono::milliseconds patience);
  void thaw(const std::vector<EntryId>& ids);

 private:
  void leave(const std::vector<EntryId>& ids);

  std::mutex mutex_;
  std::condition_variable drained_;
  std::unordered_set<EntryId> frozen_;          // GUARDED_BY(mutex_)
  std::unordered_map<EntryId, int> running_;    // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad
