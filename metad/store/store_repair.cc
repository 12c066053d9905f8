// MetaStore: the repairs of fsctl fsck --metadata --repair (metad/cross/fsck.h).
// Each is guarded by what the check saw, so a repair computed from a snapshot
// that has changed since is skipped rather than applied to different rows.
#include <spdlog/spdlog.h>

#include "metad/store/store_internal.h"

namespace combfs::metad {

Result<bool> MetaStore::apply_repair(const proto::MetaRepair& r) {
  const EntryId id = EntryId::from_proto(r.id());
  const EntryId parent = EntryId::from_proto(r.parent());
  bool applied = COMBFS_TRY(write([&](Tables& t) -> Result<bool> {
    switch (r.kind()) {
      case proto::REPAIR_SET_NLINK: {
        auto n = COMBFS_TRY(t.find_inode(id));
        if (!n || n->nlink != r.expect_nlink()) return false;
        n->nlink = r.nlink();
        COMBFS_CHECK(t.update_inode(*n));
        return true;
      }
      case proto::REPAIR_DELETE_DENTRY: {
        auto d = COMBFS_TRY(t.find_dentry(parent, r.name()));
        if (!d || d->child != id) return false;
        COMBFS_CHECK(t.delete_dentry(d->seq));
        return true;
      }
      case proto::REPAIR_SET_PARENT: {
        auto n = COMBFS_TRY(t.find_inode(id));
        if (!n || !n->is_dir()) return false;
        n->parent = parent;
        n->parent_owner = r.node();
        COMBFS_CHECK(t.update_inode(*n));
        return true;
      }
      case proto::REPAIR_ADD_REMOTE_NAME:
        if (!COMBFS_TRY(t.find_inode(id))) return false;
        return t.insert_remote_name(id, r.node(), parent, r.name());
      case proto::REPAIR_DELETE_REMOTE_NAME:
        return t.delete_remote_name(id, r.node(), parent, r.name());
      default:
        return error(proto::INVALID_ARGUMENT,
                     fmt::format("unknown repair kind {}: upgrade this metad", static_cast<int>(r.kind())));
    }
  }));
  if (applied) spdlog::warn("fsck repair on metad {}: {}", options_.node_id, r.problem());
  return applied;
}

}  // namespace combfs::metad
