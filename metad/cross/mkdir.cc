// mkdir across owners: the parent's owner (here) journals the intent, the
// chosen metad creates the directory (pending), the name is committed here,
// and the directory is confirmed. A crash before the commit leaves a pending
// directory that recovery aborts (deletes); after it, recovery confirms.
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

Result<proto::EntryInfo> mkdir(Cross& c, const proto::MkDirRequest& req, uint32_t node) {
  const EntryId parent = EntryId::from_proto(req.parent());
  MkdirBegun begun = COMBFS_TRY(c.store().mkdir_begin(parent, req.name(), node, req.mode(), req.gid(), req.umask()));
  JournalRunner::Claim claim(c.journal(), begun.seq);
  COMBFS_CRASH_POINT(c, "mkdir.begun");

  proto::RemoteDirCreateRequest create;
  begun.child.to_proto(create.mutable_id());
  parent.to_proto(create.mutable_parent());
  create.set_parent_owner(c.self());
  create.set_mode(begun.perms.mode);
  create.set_uid(req.uid());
  create.set_gid(begun.perms.gid);
  create.set_acl_access(begun.perms.access_acl);
  create.set_acl_default(begun.perms.default_acl);
  *create.mutable_pattern() = begun.pattern;
  auto created = c.peers().call(node, create);
  if (!created) {
    (void)c.journal().finish(begun.seq);  // abort; the worker retries if metad `node` is unreachable
    return error(created.error());
  }
  COMBFS_CRASH_POINT(c, "mkdir.created");

  if (auto committed = c.store().mkdir_commit(begun.seq); !committed) {
    (void)c.journal().finish(begun.seq);
    return error(committed.error());
  }
  COMBFS_CRASH_POINT(c, "mkdir.committed");
  if (auto done = c.journal().finish(begun.seq); !done)
    spdlog::warn("mkdir '{}': cannot confirm directory {} on metad {} yet (the worker retries): {}", req.name(),
                 begun.child.to_string(), node, done.error().to_string());
  return std::move(*created->mutable_info());
}

}  // namespace combfs::metad::cross
