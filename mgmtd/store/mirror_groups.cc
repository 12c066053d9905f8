// The registry's mirror groups (buddy groups): pairs of targets on different
// nodes that hold the same chunks (docs/mirroring.md). Part of Registry; see
// registry.h.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "buddy/pairing.h"
#include "mgmtd/store/registry.h"

namespace combfs::mgmtd {
namespace {

constexpr const char* kNextGroupKey = "next_mirror_group_id";

}  // namespace

Result<void> Registry::load_mirror_groups() {
  next_group_id_ = static_cast<uint32_t>(COMBFS_TRY(get_setting(kNextGroupKey, 1)));
  auto rows = COMBFS_TRY(db_->prepare("SELECT id, primary_target, secondary_target FROM mirror_groups"));
  while (COMBFS_TRY(rows.step())) {
    proto::MirrorGroupInfo g;
    g.set_id(static_cast<uint32_t>(rows.column_int(0)));
    g.set_primary(static_cast<uint32_t>(rows.column_int(1)));
    g.set_secondary(static_cast<uint32_t>(rows.column_int(2)));
    group_of_target_[g.primary()] = g.id();
    group_of_target_[g.secondary()] = g.id();
    groups_[g.id()] = g;
  }
  return {};
}

Status Registry::check_new_group(uint32_t primary, uint32_t secondary) const {
  if (primary == 0 || secondary == 0)
    return Status(proto::INVALID_ARGUMENT, "a mirror group needs --primary and --secondary target ids (or --automatic)");
  if (primary == secondary)
    return Status(proto::INVALID_ARGUMENT, fmt::format("target {} cannot be its own buddy; give two targets", primary));
  for (uint32_t t : {primary, secondary}) {
    if (!targets_.contains(t))
      return Status(proto::INVALID_ARGUMENT, fmt::format("there is no target {}; see fsctl listtargets", t));
    if (auto g = group_of_target_.find(t); g != group_of_target_.end())
      return Status(proto::INVALID_ARGUMENT,
                    fmt::format("target {} is already in mirror group {}; see fsctl listmirrorgroups", t, g->second));
  }
  uint32_t node = targets_.at(primary).node_id();
  if (node == targets_.at(secondary).node_id())
    return Status(proto::INVALID_ARGUMENT,
                  fmt::format("targets {} and {} are both on node {}: the copies of a mirror group must be on two "
                              "nodes, so that one failing node leaves the other copy; pick a target of another node",
                              primary, secondary, node));
  return Status();
}

Result<void> Registry::store_mirror_groups(const std::vector<proto::MirrorGroupInfo>& groups, uint32_t next_group_id) {
  for (const auto& g : groups) {
    auto stmt =
        COMBFS_TRY(db_->prepare("INSERT INTO mirror_groups(id, primary_target, secondary_target) VALUES(?, ?, ?)"));
    stmt.bind(1, g.id()).bind(2, g.primary()).bind(3, g.secondary());
    COMBFS_CHECK(stmt.run());
  }
  return put_setting(kNextGroupKey, next_group_id);
}

Result<proto::AddMirrorGroupResponse> Registry::add_mirror_groups(const proto::AddMirrorGroupRequest& req) {
  std::lock_guard lock(mutex_);
  proto::AddMirrorGroupResponse resp;
  std::vector<proto::MirrorGroupInfo> added;
  uint32_t next = next_group_id_;
  if (req.automatic()) {
    if (req.primary() || req.secondary() || req.group_id())
      return error(proto::INVALID_ARGUMENT, "--automatic chooses the targets and ids itself; give it alone");
    std::vector<buddy::Candidate> candidates;
    for (const auto& [id, t] : targets_)
      if (!group_of_target_.contains(id)) candidates.push_back({id, t.node_id(), t.total_bytes()});
    auto pairing = buddy::pair_targets(std::move(candidates));
    for (const auto& pair : pairing.pairs) {
      auto& g = added.emplace_back();
      g.set_id(next++);
      g.set_primary(pair.primary);
      g.set_secondary(pair.secondary);
    }
    for (uint32_t t : pairing.unpaired) resp.add_unpaired(t);
  } else {
    Status why = check_new_group(req.primary(), req.secondary());
    if (!why.ok()) return error(why);
    uint32_t id = req.group_id() ? req.group_id() : next;
    if (groups_.contains(id))
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("mirror group {} exists; leave out --group to take the next free id", id));
    next = std::max(next, id + 1);
    auto& g = added.emplace_back();
    g.set_id(id);
    g.set_primary(req.primary());
    g.set_secondary(req.secondary());
  }
  if (added.empty()) return resp;

  auto txn = COMBFS_TRY(Transaction::begin(*db_));
  COMBFS_CHECK(store_mirror_groups(added, next));
  COMBFS_CHECK(store_version(version_ + 1));
  COMBFS_CHECK(txn.commit());
  version_ += 1;
  next_group_id_ = next;
  for (const auto& g : added) {
    groups_[g.id()] = g;
    group_of_target_[g.primary()] = g.id();
    group_of_target_[g.secondary()] = g.id();
    *resp.add_added() = g;
    spdlog::info("mirror group {}: primary target {}, secondary target {}; maps version {}", g.id(), g.primary(),
                 g.secondary(), version_);
  }
  return resp;
}

}  // namespace combfs::mgmtd
