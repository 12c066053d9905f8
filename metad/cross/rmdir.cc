// rmdir of a directory stored on another metad, or of a hashed directory:
// journal the intent here, have the directory's metad (and each shard's)
// check it empty and refuse new entries (PREPARE_REMOVE), remove the name
// here, then delete the directory and its shards. A crash before the name
// goes cancels the removal; after it, recovery deletes.
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

Result<void> rmdir(Cross& c, EntryId parent, const std::string& name) {
  Dentry d = COMBFS_TRY(c.store().peek_dentry(parent, name));
  if (d.child_type != proto::FT_DIR)
    return error(proto::META_NOT_DIR, fmt::format("'{}' in directory {} is not a directory", name, parent.to_string()));
  const uint32_t owner = d.child_owner ? d.child_owner : c.self();
  const EntryId child = d.child;
  std::vector<std::pair<EntryId, uint32_t>> shards;
  bool dangling = false;
  proto::GetAttrRequest get;
  child.to_proto(get.mutable_id());
  if (auto info = c.peers().call(owner, get); info) {
    for (const auto& s : info->info().shards()) shards.emplace_back(EntryId::from_proto(s.id()), s.owner());
  } else if (info.error().code() == proto::META_NOT_FOUND) {
    // The name outlived its directory (damage): removing the name repairs it.
    spdlog::warn("rmdir '{}' in {}: directory {} is missing on metad {}; removing the dangling name", name,
                 parent.to_string(), child.to_string(), owner);
    dangling = true;
  } else {
    return std::unexpected(info.error());
  }

  int64_t seq = COMBFS_TRY(c.store().rmdir_begin(parent, name, child, owner, shards));
  JournalRunner::Claim claim(c.journal(), seq);
  COMBFS_CRASH_POINT(c, "rmdir.begun");

  auto prepare = [&](EntryId id, uint32_t on, bool shards_prepared) -> Result<void> {
    proto::RemoteDirStateRequest r;
    id.to_proto(r.mutable_id());
    r.set_action(proto::REMOTE_DIR_PREPARE_REMOVE);
    r.set_shards_prepared(shards_prepared);
    COMBFS_CHECK(c.peers().call(on, r));
    return {};
  };
  auto give_up = [&](const Status& why) -> Result<void> {
    (void)c.journal().finish(seq);  // cancels what was prepared
    return std::unexpected(why);
  };
  if (!dangling) {
    for (const auto& [shard, node] : shards)
      if (auto r = prepare(shard, node, false); !r) return give_up(r.error());
    if (auto r = prepare(child, owner, true); !r) return give_up(r.error());
  }
  COMBFS_CRASH_POINT(c, "rmdir.prepared");

  if (auto committed = c.store().rmdir_commit(seq); !committed) return give_up(committed.error());
  COMBFS_CRASH_POINT(c, "rmdir.committed");
  if (auto done = c.journal().finish(seq); !done)
    spdlog::warn("rmdir '{}': cannot delete directory {} on metad {} yet (the worker retries): {}", name,
                 child.to_string(), owner, done.error().to_string());
  return {};
}

}  // namespace combfs::metad::cross
