// Moving one directory to another metad (docs/metadata.md "Migration"):
//   1. freeze the directory and its files here (requests about them get
//      "busy, retry"), waiting for requests already running;
//   2. journal INTENT (undo: drop the copy on the target) with the rows;
//   3. target: RemoteMigrateIn, the copy arrives pending [migrate.copied];
//   4. here: if the rows are unchanged, delete them, leave forwarding
//      records, record COMMITTED [migrate.committed];
//   5. the rest: confirm the copy, point the parent's dentry (maybe on a
//      third metad) and the subdirectories' ".." at the target.
// A crash before 4 leaves an INTENT record: recovery drops the copy. After 4,
// recovery finishes 5. Requests that arrive after 4 with the old owner are
// redirected by the forwarding records.
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

namespace {

// How long a freeze waits for requests that were running when it began.
constexpr std::chrono::milliseconds kDrainPatience{5000};

// Thaws what it froze when the move ends, however it ends.
class Frozen {
 public:
  explicit Frozen(MigrationGate& gate) : gate_(gate) {}
  ~Frozen() { gate_.thaw(ids_); }
  bool add(const std::vector<EntryId>& ids) {
    if (!gate_.freeze(ids, kDrainPatience)) return false;
    ids_.insert(ids_.end(), ids.begin(), ids.end());
    return true;
  }

 private:
  MigrationGate& gate_;
  std::vector<EntryId> ids_;
};

Status busy_moving(EntryId dir) {
  return Status(proto::UNAVAILABLE, fmt::format("requests about directory {} kept running while it was to be moved; "
                                                "try the move again",
                                                dir.to_string()));
}

// A shard of a hashed directory does not move: the hashed directory's inode
// names the metad of each shard, and clients route names by that list. A
// shard has no name; its ".." is the hashed directory, which lists it.
Result<void> refuse_shard(Cross& c, EntryId dir) {
  auto [parent, parent_node] = COMBFS_TRY(c.store().dir_parent(dir));
  if (parent == dir) return {};  // the root
  proto::EntryInfo info;
  if (parent_node == c.self()) {
    info = COMBFS_TRY(c.store().get_attr(parent));
  } else {
    proto::GetAttrRequest g;
    parent.to_proto(g.mutable_id());
    info = COMBFS_TRY(c.peers().call(parent_node, g)).info();
  }
  for (const auto& s : info.shards())
    if (EntryId::from_proto(s.id()) == dir)
      return error(proto::META_BUSY, fmt::format("directory {} is a shard of hashed directory {}: shards stay on their "
                                                 "metads (a hashed directory spreads its names already)",
                                                 dir.to_string(), parent.to_string()));
  return {};
}

}  // namespace

Result<MigrationGate::Pass> admit(MetaStore& store, MigrationGate* gate, const Keys& keys) {
  if (keys.empty()) return MigrationGate::Pass();
  if (auto to = store.moved_to(keys.front())) {
    Status s(proto::META_NOT_OWNER, fmt::format("entry {} moved from metad {} to metad {}; send the request there",
                                                keys.front().to_string(), store.node_id(), *to));
    return error(std::move(s.set_redirect_node(*to)));
  }
  if (!gate) return MigrationGate::Pass();
  auto pass = gate->enter(keys);
  if (!pass)
    return error(proto::UNAVAILABLE, fmt::format("entry {} is being moved to another metad right now; try again",
                                                 keys.front().to_string()));
  return std::move(*pass);
}

Result<proto::MigrateDirResponse> migrate_dir(Cross& c, const proto::MigrateDirRequest& req) {
  const EntryId dir = EntryId::from_proto(req.dir());
  const uint32_t to = req.to();
  proto::MigrateDirResponse resp;
  if (to == 0 || to == c.self()) {
    resp.set_already_there(true);
    for (auto& s : COMBFS_TRY(c.store().subdirs(dir))) *resp.add_subdirs() = std::move(s);
    return resp;
  }
  auto map = COMBFS_TRY(c.map()());
  auto node = map->nodes.find(to);
  if (node == map->nodes.end() || node->second.type() != proto::NODE_META)
    return error(proto::INVALID_ARGUMENT, fmt::format("node {} is not a metad of this cluster (fsctl listnodes shows "
                                                      "them)",
                                                      to));
  if (node->second.reach() != proto::REACH_ONLINE)
    return error(proto::UNAVAILABLE, fmt::format("metad {} is not online; move the directory when it is back", to));
  COMBFS_CHECK(refuse_shard(c, dir));
  auto slot = c.try_slot();
  if (!slot) return error(Cross::busy());

  Frozen frozen(c.gate());
  if (!frozen.add({dir})) return error(busy_moving(dir));
  // Nothing new gets into the directory now; freeze the files it names.
  const auto files = COMBFS_TRY(c.store().migrate_files(dir));
  if (!frozen.add(files)) return error(busy_moving(dir));
  // Locks live in this metad's memory and do not travel.
  if (c.has_locks)
    for (const auto& f : files)
      if (c.has_locks(f))
        return error(proto::META_BUSY, fmt::format("file {} in directory {} holds byte-range locks, which cannot move "
                                                   "to another metad; move the directory when they are released",
                                                   f.to_string(), dir.to_string()));

  auto begun = COMBFS_TRY(c.store().migrate_begin(dir, to));
  JournalRunner::Claim claim(c.journal(), begun.seq);
  COMBFS_CRASH_POINT(c, "migrate.begun");

  if (auto copied = c.peers().call(to, begun.rows); !copied) {
    (void)c.journal().finish(begun.seq);  // drop a partial copy; the worker retries if `to` is unreachable
    return error(copied.error());
  }
  COMBFS_CRASH_POINT(c, "migrate.copied");

  auto committed = c.store().migrate_commit(begun.seq, begun.rows, req.reason());
  if (!committed) {
    (void)c.journal().finish(begun.seq);
    return error(committed.error());
  }
  spdlog::info("migrated directory {} ({} entries) from metad {} to metad {}{}{}", dir.to_string(),
               committed->entries, c.self(), to, req.reason().empty() ? "" : ": ", req.reason());
  COMBFS_CRASH_POINT(c, "migrate.committed");
  if (auto done = c.journal().finish(begun.seq); !done)
    spdlog::warn("migrate {}: steps on other metads failed (the worker retries): {}", dir.to_string(),
                 done.error().to_string());
  resp.set_moved_entries(committed->entries);
  for (auto& s : committed->subdirs) {
    // Subdirectories that stayed here are now named from `to`; report where they live.
    *resp.add_subdirs() = std::move(s);
  }
  return resp;
}

}  // namespace combfs::metad::cross
