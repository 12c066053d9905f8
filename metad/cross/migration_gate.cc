#include "metad/cross/migration_gate.h"

namespace combfs::metad {

std::optional<MigrationGate::Pass> MigrationGate::enter(const std::vector<EntryId>& ids) {
  if (ids.empty()) return Pass();
  std::lock_guard lock(mutex_);
  for (const auto& id : ids)
    if (frozen_.contains(id)) return std::nullopt;
  for (const auto& id : ids) ++running_[id];
  return Pass(this, ids);
}

void MigrationGate::leave(const std::vector<EntryId>& ids) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& id : ids)
      if (auto it = running_.find(id); it != running_.end() && --it->second == 0) running_.erase(it);
  }
  drained_.notify_all();
}

bool MigrationGate::freeze(const std::vector<EntryId>& ids, std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  for (const auto& id : ids) frozen_.insert(id);
  bool ok = drained_.wait_for(lock, patience, [&] {
    for (const auto& id : ids)
      if (running_.contains(id)) return false;
    return true;
  });
  if (!ok)
    for (const auto& id : ids) frozen_.erase(id);
  return ok;
}

void MigrationGate::thaw(const std::vector<EntryId>& ids) {
  std::lock_guard lock(mutex_);
  for (const auto& id : ids) frozen_.erase(id);
}

}  // namespace combfs::metad
