// mkdir across owners: the parent's owner (here) journals the intent, the
// chosen metad creates the directory (pending), the name is committed here,
// and the directory is confirmed. A crash before the commit leaves a pending
// directory that recovery aborts (deletes); after it, recovery confirms.
// A hashed directory's shards are created (pending) before the directory,
// and confirmed with it.
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

Result<proto::EntryInfo> mkdir(Cross& c, const proto::MkDirRequest& req, uint32_t node,
                               const std::vector<uint32_t>& shard_nodes) {
  const EntryId parent = EntryId::from_proto(req.parent());
  MkdirBegun begun = COMBFS_TRY(c.store().mkdir_begin(parent, req.name(), node, req.mode(), req.gid(), req.umask(), shard_nodes));
  JournalRunner::Claim claim(c.journal(), begun.seq);
  COMBFS_CRASH_POINT(c, "mkdir.begun");

  auto create = [&](EntryId id, uint32_t on, EntryId its_parent, uint32_t its_parent_owner,
                    bool with_shards) -> Result<proto::RemoteDirCreateResponse> {
    proto::RemoteDirCreateRequest r;
    id.to_proto(r.mutable_id());
    its_parent.to_proto(r.mutable_parent());
    r.set_parent_owner(its_parent_owner);
    r.set_mode(begun.perms.mode);
    r.set_uid(req.uid());
    r.set_gid(begun.perms.gid);
    r.set_acl_access(begun.perms.access_acl);
    r.set_acl_default(begun.perms.default_acl);
    *r.mutable_pattern() = begun.pattern;
    if (with_shards) {
      for (const auto& [shard, shard_node] : begun.shards) {
        auto* s = r.add_shards();
        shard.to_proto(s->mutable_id());
        s->set_owner(shard_node);
      }
    }
    return c.peers().call(on, r);
  };
  auto give_up = [&](const Status& why) -> Result<proto::EntryInfo> {
    (void)c.journal().finish(begun.seq);  // abort; the worker retries if a metad is unreachable
    return std::unexpected(why);
  };
  for (const auto& [shard, shard_node] : begun.shards)
    if (auto made = create(shard, shard_node, begun.child, node, false); !made) return give_up(made.error());
  auto created = create(begun.child, node, parent, c.self(), true);
  if (!created) return give_up(created.error());
  COMBFS_CRASH_POINT(c, "mkdir.created");

  if (auto committed = c.store().mkdir_commit(begun.seq); !committed) return give_up(committed.error());
  COMBFS_CRASH_POINT(c, "mkdir.committed");
  if (auto done = c.journal().finish(begun.seq); !done)
    spdlog::warn("mkdir '{}': cannot confirm directory {} on metad {} yet (the worker retries): {}", req.name(),
                 begun.child.to_string(), node, done.error().to_string());
  return std::move(*created->mutable_info());
}

}  // namespace combfs::metad::cross
