// This node's targets and the ids mgmtd gave them. Targets are opened at
// startup; ids arrive with each (re-)registration and may change only if
// mgmtd lost its registry, so lookups go through one lock-protected table.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "stored/target/target.h"

namespace combfs::stored {

class TargetSet {
 public:
  // Adds an opened target. Error INVALID_ARGUMENT when its uuid or path is
  // already in the set (the same directory given twice).
  Result<void> add(std::shared_ptr<Target> target);

  // The targets in the order they were added (the order of a registration).
  std::vector<std::shared_ptr<Target>> all() const;

  // Installs the ids from a RegisterNodeResponse: ids[i] belongs to all()[i].
  Result<void> assign_ids(const std::vector<uint32_t>& ids);

  // The target with id `target_id`. Errors: UNAVAILABLE before the first
  // registration (retry later), STORAGE_UNKNOWN_TARGET naming the id and the
  // targets this node has.
  Result<std::shared_ptr<Target>> find(uint32_t target_id) const;

  // (id, target) pairs; empty before registration.
  std::map<uint32_t, std::shared_ptr<Target>> by_id() const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::shared_ptr<Target>> targets_;       // GUARDED_BY(mutex_)
  std::map<uint32_t, std::shared_ptr<Target>> by_id_;  // GUARDED_BY(mutex_)
  bool registered_ = false;                            // GUARDED_BY(mutex_)
};

}  // namespace combfs::stored
