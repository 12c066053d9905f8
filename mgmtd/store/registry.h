// mgmtd's registry: nodes, targets, the root owner and the maps version, kept
// in SQLite (<data-dir>/mgmtd.db) and mirrored in memory for reads.
//
// Persistent (survives restart): node ids by node uuid, target ids by target
// uuid, node addresses, target paths and last known capacities, root_owner,
// mirror groups, the maps version and the id counters. Ids are never reused.
// In memory only: heartbeat times, reachability, metad entry counts.
//
// The maps version changes whenever anything a map reader sees changes,
// except capacities and entry counts (they change on every heartbeat; GetMaps
// always returns current figures with a full map). Reachability is recomputed
// only by register_node, heartbeat and tick, so a version always describes one
// state and "unchanged" answers are truthful.
//
// Thread-safe: all methods may be called concurrently.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/status.h"
#include "mgmtd/store/clock.h"
#include "mgmtd/store/reachability.h"
#include "mgmtd/store/sqlite.h"
#include "proto/mgmt.pb.h"

namespace combfs::mgmtd {

class Registry {
 public:
  // Opens or creates the database at `db_path` and migrates its schema. The
  // maps version is bumped once, because the in-memory health state starts
  // afresh. Known nodes start online with a grace period: their heartbeat age
  // counts from now, so an mgmtd restart does not flip the cluster offline.
  // `clock` must outlive the registry.
  static Result<std::unique_ptr<Registry>> open(const std::string& db_path, ReachabilityPolicy policy, Clock& clock);

  // Registers (or re-registers) a node and its targets; see proto/mgmt.proto.
  // A node counts as heard from at registration.
  // Errors: INVALID_ARGUMENT for a request without uuid or node type or with a
  // target listed twice; IO_ERROR when the database cannot be written.
  Result<proto::RegisterNodeResponse> register_node(const proto::RegisterNodeRequest& req);

  // Records a heartbeat; returns the current maps version.
  // Errors: MGMT_UNKNOWN_NODE / MGMT_UNKNOWN_TARGET (the daemon must register
  // again, e.g. after mgmtd lost its database).
  Result<uint64_t> heartbeat(const proto::HeartbeatRequest& req);

  // Adds mirror groups (mirror_groups.cc): the two given targets, or with
  // `automatic` every target not yet in a group, paired by buddy::pair_targets.
  // Errors: INVALID_ARGUMENT (unknown target, same node, already in a group,
  // group id taken), each saying what to do instead; IO_ERROR.
  Result<proto::AddMirrorGroupResponse> add_mirror_groups(const proto::AddMirrorGroupRequest& req);

  // unchanged=true when known_version is current, else the full maps.
  proto::GetMapsResponse get_maps(uint64_t known_version) const;

  proto::StatFsResponse stat_fs() const;

  // Recomputes every node's reachability from its heartbeat age; bumps the
  // version when any changed. Returns whether the map changed. Called every
  // second by the service.
  Result<bool> tick();

  uint64_t version() const;
  uint32_t root_owner() const;

 private:
  struct Node {
    std::string uuid;
    proto::NodeInfo info;
    int64_t last_seen_steady_ms = 0;
    std::set<uint32_t> served;  // targets the node listed at its last registration
  };

  Registry(std::unique_ptr<Database> db, ReachabilityPolicy policy, Clock& clock)
      : db_(std::move(db)), policy_(policy), clock_(clock) {}

  Result<void> migrate();
  Result<void> load();
  Result<void> load_mirror_groups();
  // Why `primary` and `secondary` cannot form a new group, or OK.
  Status check_new_group(uint32_t primary, uint32_t secondary) const;
  Result<void> store_mirror_groups(const std::vector<proto::MirrorGroupInfo>& groups, uint32_t next_group_id);
  Result<int64_t> get_setting(const std::string& key, int64_t fallback);
  Result<void> put_setting(const std::string& key, int64_t value);
  // Writes the new version inside the caller's transaction.
  Result<void> store_version(uint64_t version);
  proto::Reachability reach_of(const Node& node, int64_t now_steady_ms) const;
  // Sets the node's reachability and its targets' (targets it no longer serves are offline).
  void apply_reach(Node& node, proto::Reachability reach);

  std::unique_ptr<Database> db_;
  const ReachabilityPolicy policy_;
  Clock& clock_;

  mutable std::mutex mutex_;
  uint64_t version_ = 0;                         // GUARDED_BY(mutex_)
  uint32_t root_owner_ = 0;                      // GUARDED_BY(mutex_)
  uint32_t next_node_id_ = 1;                    // GUARDED_BY(mutex_)
  uint32_t next_target_id_ = 1;                  // GUARDED_BY(mutex_)
  std::map<uint32_t, Node> nodes_;               // GUARDED_BY(mutex_)
  std::map<std::string, uint32_t> node_by_uuid_;  // GUARDED_BY(mutex_)
  std::map<uint32_t, proto::TargetInfo> targets_;  // GUARDED_BY(mutex_)
  std::map<std::string, uint32_t> target_by_uuid_;  // GUARDED_BY(mutex_)
  uint32_t next_group_id_ = 1;                      // GUARDED_BY(mutex_)
  std::map<uint32_t, proto::MirrorGroupInfo> groups_;  // GUARDED_BY(mutex_)
  std::map<uint32_t, uint32_t> group_of_target_;       // GUARDED_BY(mutex_)
};

}  // namespace combfs::mgmtd
