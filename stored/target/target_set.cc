#include "stored/target/target_set.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <mutex>

namespace combfs::stored {

Result<void> TargetSet::add(std::shared_ptr<Target> target) {
  std::unique_lock lock(mutex_);
  for (auto& t : targets_)
    if (t->uuid() == target->uuid() || t->path() == target->path())
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("target '{}' (uuid {}) is the same as target '{}': give each --target its own directory",
                               target->path(), target->uuid(), t->path()));
  targets_.push_back(std::move(target));
  return {};
}

std::vector<std::shared_ptr<Target>> TargetSet::all() const {
  std::shared_lock lock(mutex_);
  return targets_;
}

Result<void> TargetSet::assign_ids(const std::vector<uint32_t>& ids) {
  std::unique_lock lock(mutex_);
  if (ids.size() != targets_.size())
    return error(proto::INTERNAL, fmt::format("mgmtd returned {} target ids for {} targets; is mgmtd a compatible version?",
                                              ids.size(), targets_.size()));
  std::map<uint32_t, std::shared_ptr<Target>> fresh;
  for (size_t i = 0; i < ids.size(); ++i) fresh[ids[i]] = targets_[i];
  by_id_ = std::move(fresh);
  registered_ = true;
  return {};
}

Result<std::shared_ptr<Target>> TargetSet::find(uint32_t target_id) const {
  std::shared_lock lock(mutex_);
  if (auto it = by_id_.find(target_id); it != by_id_.end()) return it->second;
  if (!registered_)
    return error(proto::UNAVAILABLE,
                 fmt::format("storage node is starting: not registered with mgmtd yet, target {} unknown; retry", target_id));
  std::vector<std::string> have;
  for (auto& [id, t] : by_id_) have.push_back(fmt::format("{} ({})", id, t->path()));
  return error(proto::STORAGE_UNKNOWN_TARGET,
               fmt::format("target {} is not on this storage node; it has targets {}; refresh the cluster map", target_id,
                           fmt::join(have, ", ")));
}

std::map<uint32_t, std::shared_ptr<Target>> TargetSet::by_id() const {
  std::shared_lock lock(mutex_);
  return by_id_;
}

}  // namespace combfs::stored
