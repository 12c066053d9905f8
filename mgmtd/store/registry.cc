#include "mgmtd/store/registry.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>
#include <vector>

namespace combfs::mgmtd {

namespace {

// Schema migrations: entry i brings a database from user_version i to i+1.
// Append only; never edit a shipped entry.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE nodes (
  id    INTEGER PRIMARY KEY,
  uuid  TEXT NOT NULL UNIQUE,
  type  INTEGER NOT NULL,
  alias TEXT NOT NULL,
  host  TEXT NOT NULL,
  port  INTEGER NOT NULL
);
CREATE TABLE targets (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT NOT NULL UNIQUE,
  node_id     INTEGER NOT NULL REFERENCES nodes(id),
  path        TEXT NOT NULL,
  total_bytes INTEGER NOT NULL,
  free_bytes  INTEGER NOT NULL,
  -- proto::Consistency; always CONS_GOOD until buddy mirroring sets it.
  consistency INTEGER NOT NULL DEFAULT 0,
  -- storage pool; 0 is the default pool (the proto3 default of StripePattern.pool_id).
  pool_id     INTEGER NOT NULL DEFAULT 0
);
)sql",
    R"sql(
CREATE TABLE mirror_groups (
  id        INTEGER PRIMARY KEY,
  primary_target   INTEGER NOT NULL UNIQUE REFERENCES targets(id),
  secondary_target INTEGER NOT NULL UNIQUE REFERENCES targets(id)
);
)sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

constexpr const char* kVersionKey = "maps_version";
constexpr const char* kRootOwnerKey = "root_owner";
constexpr const char* kNextNodeKey = "next_node_id";
constexpr const char* kNextTargetKey = "next_target_id";

const char* type_name(proto::NodeType type) {
  switch (type) {
    case proto::NODE_META: return "metadata";
    case proto::NODE_STORAGE: return "storage";
    case proto::NODE_MGMT: return "management";
    default: return "unknown";
  }
}

}  // namespace

Result<std::unique_ptr<Registry>> Registry::open(const std::string& db_path, ReachabilityPolicy policy, Clock& clock) {
  if (policy.probably_offline_after_ms <= 0 || policy.offline_after_ms < policy.probably_offline_after_ms)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("bad reachability timeouts ({} ms, {} ms): need 0 < probably-offline-after <= offline-after",
                             policy.probably_offline_after_ms, policy.offline_after_ms));
  auto db = COMBFS_TRY(Database::open(db_path));
  std::unique_ptr<Registry> reg(new Registry(std::move(db), policy, clock));
  COMBFS_CHECK(reg->migrate());
  COMBFS_CHECK(reg->load());
  // Health state restarts from scratch, so what a reader cached before the
  // restart no longer describes this registry: move the version on.
  auto txn = COMBFS_TRY(Transaction::begin(*reg->db_));
  COMBFS_CHECK(reg->store_version(reg->version_ + 1));
  COMBFS_CHECK(txn.commit());
  reg->version_ += 1;
  return reg;
}

Result<void> Registry::migrate() {
  auto stmt = COMBFS_TRY(db_->prepare("PRAGMA user_version"));
  COMBFS_TRY(stmt.step());
  int version = static_cast<int>(stmt.column_int(0));
  if (version > kSchemaVersion)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("mgmtd database '{}' has schema version {} but this combfs-mgmtd knows only up to {}; "
                             "run a newer combfs-mgmtd",
                             db_->path(), version, kSchemaVersion));
  for (; version < kSchemaVersion; ++version) {
    auto txn = COMBFS_TRY(Transaction::begin(*db_));
    COMBFS_CHECK(db_->exec(kMigrations[version]));
    COMBFS_CHECK(db_->exec(fmt::format("PRAGMA user_version={}", version + 1)));
    COMBFS_CHECK(txn.commit());
    spdlog::info("mgmtd database '{}' migrated to schema version {}", db_->path(), version + 1);
  }
  return {};
}

Result<int64_t> Registry::get_setting(const std::string& key, int64_t fallback) {
  auto stmt = COMBFS_TRY(db_->prepare("SELECT value FROM settings WHERE key = ?"));
  stmt.bind(1, key);
  if (!COMBFS_TRY(stmt.step())) return fallback;
  return stmt.column_int(0);
}

Result<void> Registry::put_setting(const std::string& key, int64_t value) {
  auto stmt = COMBFS_TRY(db_->prepare(
      "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  stmt.bind(1, key).bind(2, value);
  return stmt.run();
}

Result<void> Registry::store_version(uint64_t version) { return put_setting(kVersionKey, static_cast<int64_t>(version)); }

Result<void> Registry::load() {
  version_ = static_cast<uint64_t>(COMBFS_TRY(get_setting(kVersionKey, 0)));
  root_owner_ = static_cast<uint32_t>(COMBFS_TRY(get_setting(kRootOwnerKey, 0)));
  next_node_id_ = static_cast<uint32_t>(COMBFS_TRY(get_setting(kNextNodeKey, 1)));
  next_target_id_ = static_cast<uint32_t>(COMBFS_TRY(get_setting(kNextTargetKey, 1)));
  const int64_t now = clock_.steady_ms();

  auto nodes = COMBFS_TRY(db_->prepare("SELECT id, uuid, type, alias, host, port FROM nodes"));
  while (COMBFS_TRY(nodes.step())) {
    Node node;
    node.uuid = nodes.column_text(1);
    node.info.set_id(static_cast<uint32_t>(nodes.column_int(0)));
    node.info.set_type(static_cast<proto::NodeType>(nodes.column_int(2)));
    node.info.set_alias(nodes.column_text(3));
    node.info.set_host(nodes.column_text(4));
    node.info.set_port(static_cast<uint32_t>(nodes.column_int(5)));
    node.info.set_reach(proto::REACH_ONLINE);
    node.last_seen_steady_ms = now;  // grace period after an mgmtd restart
    node_by_uuid_[node.uuid] = node.info.id();
    nodes_[node.info.id()] = std::move(node);
  }

  auto targets = COMBFS_TRY(db_->prepare(
      "SELECT id, uuid, node_id, path, total_bytes, free_bytes, consistency, pool_id FROM targets"));
  while (COMBFS_TRY(targets.step())) {
    proto::TargetInfo t;
    t.set_id(static_cast<uint32_t>(targets.column_int(0)));
    t.set_uuid(targets.column_text(1));
    t.set_node_id(static_cast<uint32_t>(targets.column_int(2)));
    t.set_path(targets.column_text(3));
    t.set_total_bytes(static_cast<uint64_t>(targets.column_int(4)));
    t.set_free_bytes(static_cast<uint64_t>(targets.column_int(5)));
    t.set_consistency(static_cast<proto::Consistency>(targets.column_int(6)));
    t.set_pool_id(static_cast<uint32_t>(targets.column_int(7)));
    t.set_reach(proto::REACH_ONLINE);
    auto node = nodes_.find(t.node_id());
    if (node != nodes_.end()) node->second.served.insert(t.id());
    target_by_uuid_[t.uuid()] = t.id();
    targets_[t.id()] = std::move(t);
  }
  COMBFS_CHECK(load_mirror_groups());
  spdlog::info("mgmtd database '{}': {} nodes, {} targets, {} mirror groups, root owner {}, maps version {}",
               db_->path(), nodes_.size(), targets_.size(), groups_.size(), root_owner_, version_);
  return {};
}

proto::Reachability Registry::reach_of(const Node& node, int64_t now_steady_ms) const {
  return reachability(now_steady_ms - node.last_seen_steady_ms, policy_);
}

void Registry::apply_reach(Node& node, proto::Reachability reach) {
  node.info.set_reach(reach);
  for (auto& [id, t] : targets_) {
    if (t.node_id() != node.info.id()) continue;
    // A target its node no longer lists is not served by anyone.
    t.set_reach(node.served.count(id) ? reach : proto::REACH_OFFLINE);
  }
}

Result<proto::RegisterNodeResponse> Registry::register_node(const proto::RegisterNodeRequest& req) {
  if (req.uuid().empty())
    return error(proto::INVALID_ARGUMENT, "RegisterNode without a node uuid; the daemon must send the uuid from its data directory");
  if (req.type() != proto::NODE_META && req.type() != proto::NODE_STORAGE)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("RegisterNode from '{}' with node type {}: only metadata and storage nodes register",
                             req.uuid(), static_cast<int>(req.type())));
  if (req.host().empty() || req.port() == 0 || req.port() > 65535)
    return error(proto::INVALID_ARGUMENT, fmt::format("RegisterNode from '{}' with address '{}:{}': give the daemon a "
                                                      "reachable --host and a listening port",
                                                      req.uuid(), req.host(), req.port()));
  if (req.type() != proto::NODE_STORAGE && req.targets_size() > 0)
    return error(proto::INVALID_ARGUMENT, fmt::format("RegisterNode from '{}': only storage nodes have targets", req.uuid()));
  std::set<std::string> seen;
  for (auto& t : req.targets()) {
    if (t.uuid().empty())
      return error(proto::INVALID_ARGUMENT, fmt::format("RegisterNode from '{}': target '{}' has no uuid", req.uuid(), t.path()));
    if (!seen.insert(t.uuid()).second)
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("RegisterNode from '{}': target uuid {} (path '{}') is listed twice; each --target must be "
                               "a different directory",
                               req.uuid(), t.uuid(), t.path()));
  }

  std::lock_guard lock(mutex_);
  const int64_t now = clock_.steady_ms();
  bool changed = false;

  // Work on copies; memory changes only after the transaction committed.
  Node node;
  uint32_t next_node = next_node_id_;
  uint32_t next_target = next_target_id_;
  auto known = node_by_uuid_.find(req.uuid());
  const bool is_new = known == node_by_uuid_.end();
  if (is_new) {
    node.uuid = req.uuid();
    node.info.set_id(next_node++);
    node.info.set_type(req.type());
    changed = true;
  } else {
    node = nodes_.at(known->second);
    if (node.info.type() != req.type())
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("node uuid {} is registered as {} node {}, but now registers as a {} node; give each "
                               "daemon its own --data-dir",
                               req.uuid(), type_name(node.info.type()), node.info.id(), type_name(req.type())));
  }
  const uint32_t node_id = node.info.id();
  if (node.info.alias() != req.alias() || node.info.host() != req.host() || node.info.port() != req.port()) changed = true;
  node.info.set_alias(req.alias());
  node.info.set_host(req.host());
  node.info.set_port(req.port());
  node.info.set_last_seen_ms(clock_.unix_ms());
  node.last_seen_steady_ms = now;

  uint32_t root_owner = root_owner_;
  if (root_owner == 0 && req.type() == proto::NODE_META) {
    root_owner = node_id;
    changed = true;
  }

  std::vector<proto::TargetInfo> targets;
  std::set<uint32_t> served;
  for (auto& reg : req.targets()) {
    proto::TargetInfo t;
    auto it = target_by_uuid_.find(reg.uuid());
    if (it == target_by_uuid_.end()) {
      t.set_id(next_target++);
      t.set_uuid(reg.uuid());
      t.set_consistency(proto::CONS_GOOD);
      changed = true;
    } else {
      t = targets_.at(it->second);
      if (t.node_id() != node_id) {
        spdlog::warn("target {} (uuid {}) moves from node {} to node {} ('{}')", t.id(), t.uuid(), t.node_id(), node_id,
                     req.host());
        changed = true;
      }
      if (t.path() != reg.path()) changed = true;
    }
    t.set_node_id(node_id);
    t.set_path(reg.path());
    t.set_total_bytes(reg.total_bytes());
    t.set_free_bytes(reg.free_bytes());
    served.insert(t.id());
    targets.push_back(std::move(t));
  }
  if (!is_new && served != node.served) changed = true;
  node.served = served;
  // A node that was (probably) offline is back.
  if (node.info.reach() != proto::REACH_ONLINE) changed = true;
  const uint64_t version = changed ? version_ + 1 : version_;

  auto txn = COMBFS_TRY(Transaction::begin(*db_));
  {
    auto stmt = COMBFS_TRY(db_->prepare(
        "INSERT INTO nodes(id, uuid, type, alias, host, port) VALUES(?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET alias = excluded.alias, host = excluded.host, port = excluded.port"));
    stmt.bind(1, node_id).bind(2, node.uuid).bind(3, node.info.type()).bind(4, node.info.alias());
    stmt.bind(5, node.info.host()).bind(6, node.info.port());
    COMBFS_CHECK(stmt.run());
  }
  for (auto& t : targets) {
    auto stmt = COMBFS_TRY(db_->prepare(
        "INSERT INTO targets(id, uuid, node_id, path, total_bytes, free_bytes, consistency, pool_id) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET node_id = excluded.node_id, path = excluded.path, "
        "total_bytes = excluded.total_bytes, free_bytes = excluded.free_bytes"));
    stmt.bind(1, t.id()).bind(2, t.uuid()).bind(3, t.node_id()).bind(4, t.path());
    stmt.bind(5, static_cast<int64_t>(t.total_bytes())).bind(6, static_cast<int64_t>(t.free_bytes()));
    stmt.bind(7, t.consistency()).bind(8, t.pool_id());
    COMBFS_CHECK(stmt.run());
  }
  COMBFS_CHECK(put_setting(kNextNodeKey, next_node));
  COMBFS_CHECK(put_setting(kNextTargetKey, next_target));
  COMBFS_CHECK(put_setting(kRootOwnerKey, root_owner));
  COMBFS_CHECK(store_version(version));
  COMBFS_CHECK(txn.commit());

  // Committed: publish in memory.
  next_node_id_ = next_node;
  next_target_id_ = next_target;
  if (root_owner != root_owner_) spdlog::info("metadata node {} owns the root directory", root_owner);
  root_owner_ = root_owner;
  version_ = version;
  for (auto& t : targets) {
    // A target that moved here is no longer served by its old node.
    if (auto old = targets_.find(t.id()); old != targets_.end() && old->second.node_id() != node_id)
      if (auto prev = nodes_.find(old->second.node_id()); prev != nodes_.end()) prev->second.served.erase(t.id());
    target_by_uuid_[t.uuid()] = t.id();
    targets_[t.id()] = t;
  }
  node_by_uuid_[node.uuid] = node_id;
  Node& stored = nodes_[node_id] = std::move(node);
  apply_reach(stored, proto::REACH_ONLINE);

  spdlog::info("{} {} node {} ('{}' uuid {}) at {}:{} with {} targets; maps version {}",
               is_new ? "registered new" : "re-registered", type_name(req.type()), node_id, req.alias(), req.uuid(),
               req.host(), req.port(), targets.size(), version_);
  proto::RegisterNodeResponse resp;
  resp.set_node_id(node_id);
  for (auto& t : targets) resp.add_target_ids(t.id());
  resp.set_maps_version(version_);
  return resp;
}

Result<uint64_t> Registry::heartbeat(const proto::HeartbeatRequest& req) {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(req.node_id());
  if (it == nodes_.end())
    return error(proto::MGMT_UNKNOWN_NODE,
                 fmt::format("node {} is not registered with this mgmtd (was its database reset?); the daemon must "
                             "register again",
                             req.node_id()));
  Node& node = it->second;
  for (auto& cap : req.targets()) {
    auto t = targets_.find(cap.target_id());
    if (t == targets_.end() || t->second.node_id() != node.info.id())
      return error(proto::MGMT_UNKNOWN_TARGET,
                   fmt::format("target {} is not registered to node {}; the daemon must register again",
                               cap.target_id(), node.info.id()));
  }

  const int64_t now = clock_.steady_ms();
  const proto::Reachability reach = proto::REACH_ONLINE;
  if (node.info.reach() != reach) {
    // Persist the bump before anyone can see the new state.
    auto txn = COMBFS_TRY(Transaction::begin(*db_));
    COMBFS_CHECK(store_version(version_ + 1));
    COMBFS_CHECK(txn.commit());
    version_ += 1;
    spdlog::info("node {} ('{}') is online again; maps version {}", node.info.id(), node.info.alias(), version_);
    apply_reach(node, reach);
  }
  node.last_seen_steady_ms = now;
  node.info.set_last_seen_ms(clock_.unix_ms());
  node.info.set_entries(req.entries());
  for (auto& cap : req.targets()) {
    auto& t = targets_.at(cap.target_id());
    t.set_total_bytes(cap.total_bytes());
    t.set_free_bytes(cap.free_bytes());
  }
  return version_;
}

Result<bool> Registry::tick() {
  std::lock_guard lock(mutex_);
  const int64_t now = clock_.steady_ms();
  std::vector<std::pair<Node*, proto::Reachability>> changes;
  for (auto& [id, node] : nodes_) {
    auto reach = reach_of(node, now);
    if (reach != node.info.reach()) changes.emplace_back(&node, reach);
  }
  if (changes.empty()) return false;
  auto txn = COMBFS_TRY(Transaction::begin(*db_));
  COMBFS_CHECK(store_version(version_ + 1));
  COMBFS_CHECK(txn.commit());
  version_ += 1;
  for (auto& [node, reach] : changes) {
    spdlog::log(reach == proto::REACH_OFFLINE ? spdlog::level::warn : spdlog::level::info,
                "node {} ('{}' at {}:{}) is now {} (no heartbeat for {} ms); maps version {}", node->info.id(),
                node->info.alias(), node->info.host(), node->info.port(), reach_name(reach),
                now - node->last_seen_steady_ms, version_);
    apply_reach(*node, reach);
  }
  return true;
}

proto::GetMapsResponse Registry::get_maps(uint64_t known_version) const {
  std::lock_guard lock(mutex_);
  proto::GetMapsResponse resp;
  resp.set_version(version_);
  if (known_version == version_) {
    resp.set_unchanged(true);
    return resp;
  }
  for (auto& [id, node] : nodes_) *resp.add_nodes() = node.info;
  for (auto& [id, t] : targets_) *resp.add_targets() = t;
  for (auto& [id, g] : groups_) *resp.add_mirror_groups() = g;
  resp.set_root_owner(root_owner_);
  return resp;
}

proto::StatFsResponse Registry::stat_fs() const {
  std::lock_guard lock(mutex_);
  proto::StatFsResponse resp;
  for (auto& [id, t] : targets_) {
    if (t.reach() != proto::REACH_ONLINE) continue;
    resp.set_total_bytes(resp.total_bytes() + t.total_bytes());
    resp.set_free_bytes(resp.free_bytes() + t.free_bytes());
    resp.set_online_targets(resp.online_targets() + 1);
  }
  resp.set_total_targets(static_cast<uint32_t>(targets_.size()));
  for (auto& [id, node] : nodes_)
    if (node.info.type() == proto::NODE_META) resp.set_entries(resp.entries() + node.info.entries());
  return resp;
}

uint64_t Registry::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

uint32_t Registry::root_owner() const {
  std::lock_guard lock(mutex_);
  return root_owner_;
}

}  // namespace combfs::mgmtd
