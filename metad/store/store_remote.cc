// MetaStore: what other metads ask of this one during cross-owner operations
// (the Remote* requests). Every call is idempotent, or applied once per
// (origin, op), so a coordinator recovering from a crash may repeat it.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "metad/store/store_internal.h"

namespace combfs::metad {

Result<proto::EntryInfo> MetaStore::remote_dir_create(const proto::RemoteDirCreateRequest& req) {
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    EntryId id = EntryId::from_proto(req.id());
    if (auto existing = COMBFS_TRY(t.find_inode(id))) return info_of(t, *existing);
    Inode n;
    n.id = id;
    n.type = proto::FT_DIR;
    n.mode = S_IFDIR | (req.mode() & 07777);
    n.uid = req.uid();
    n.gid = req.gid();
    n.size = kDirSize;
    n.nlink = 2;
    n.atime_ns = n.mtime_ns = n.ctime_ns = now();
    n.parent = EntryId::from_proto(req.parent());
    n.parent_owner = stored_owner(req.parent_owner());
    n.pattern = req.pattern();
    n.state = Inode::kPending;
    n.state_ns = n.ctime_ns;
    for (const auto& s : req.shards()) n.shards.emplace_back(EntryId::from_proto(s.id()), s.owner());
    COMBFS_CHECK(t.insert_inode(n));
    // The coordinator computed them from the parent (MetaStore::new_perms).
    COMBFS_CHECK(put_new_acls(t, id, NewPerms{n.mode, n.gid, req.acl_access(), req.acl_default()}));
    effects_.entry_delta += 1;
    return info_of(t, n);
  });
}

Result<void> MetaStore::remote_dir_state(EntryId id, proto::RemoteDirAction action, bool shards_prepared) {
  return write([&](Tables& t) -> Result<void> {
    auto n = COMBFS_TRY(t.find_inode(id));
    if (!n) {
      // Gone already: only a removal that is still to be prepared cares.
      if (action == proto::REMOTE_DIR_PREPARE_REMOVE)
        return error(proto::META_NOT_FOUND, fmt::format("directory {} does not exist on metad {}", id.to_string(),
                                                        options_.node_id));
      return {};
    }
    if (!n->is_dir()) return error(proto::META_NOT_DIR, fmt::format("{} is not a directory", id.to_string()));
    const auto old = n->state;
    switch (action) {
      case proto::REMOTE_DIR_CONFIRM:
        if (old != Inode::kPending) return {};
        n->state = Inode::kNormal;
        break;
      case proto::REMOTE_DIR_ABORT:
        // Only a directory whose name was never committed goes; nobody could
        // have used it, but keep it if somebody did.
        if (old != Inode::kPending) return {};
        if (!COMBFS_TRY(t.dir_is_empty(id))) {
          spdlog::error("pending directory {} is not empty; keeping it (check with fsck)", id.to_string());
          return {};
        }
        return remove_inode(t, *n);
      case proto::REMOTE_DIR_PREPARE_REMOVE:
        if (id == EntryId::root()) return error(proto::META_BUSY, "the root directory cannot be removed");
        if (old == Inode::kRemoving) return {};
        if (!n->shards.empty() && !shards_prepared)
          return error(proto::META_BUSY, fmt::format("{} is a hashed directory: remove it before replacing it", id.to_string()));
        if (!COMBFS_TRY(t.dir_is_empty(id)))
          return error(proto::META_NOT_EMPTY, fmt::format("directory {} is not empty", id.to_string()));
        n->state = Inode::kRemoving;
        break;
      case proto::REMOTE_DIR_CANCEL_REMOVE:
        if (old != Inode::kRemoving) return {};
        n->state = Inode::kNormal;
        break;
      case proto::REMOTE_DIR_REMOVE:
        if (old != Inode::kRemoving || !COMBFS_TRY(t.dir_is_empty(id))) {
          // Never prepared (or not empty): removing it would lose entries.
          spdlog::error("asked to remove directory {} that was not prepared for removal; keeping it (check with fsck)",
                        id.to_string());
          return {};
        }
        return remove_inode(t, *n);
      default:
        return error(proto::INVALID_ARGUMENT, fmt::format("unknown directory action {}", static_cast<int>(action)));
    }
    n->state_ns = now();
    return t.update_inode(*n);
  });
}

Result<void> MetaStore::remote_set_parent(EntryId id, EntryId parent, uint32_t parent_owner) {
  return write([&](Tables& t) -> Result<void> {
    auto n = COMBFS_TRY(t.find_inode(id));
    if (!n || !n->is_dir()) return {};  // removed since; nothing to correct
    n->parent = parent;
    n->parent_owner = stored_owner(parent_owner);
    n->ctime_ns = now();
    return t.update_inode(*n);
  });
}

Result<proto::EntryInfo> MetaStore::remote_name(const proto::RemoteNameRequest& req) {
  COMBFS_CHECK(check_name(req.name()));
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    EntryId id = EntryId::from_proto(req.id());
    EntryId parent = EntryId::from_proto(req.parent());
    auto n = COMBFS_TRY(t.find_inode(id));
    if (req.moved_from() != 0) {
      // A name moved with its directory: one name before and after, so the
      // link count stays. Done already when the old record is gone.
      if (!n || n->is_dir()) return proto::EntryInfo();
      if (COMBFS_TRY(t.delete_remote_name(id, req.moved_from(), parent, req.name())) && is_remote_owner(req.node()))
        COMBFS_CHECK(t.insert_remote_name(id, req.node(), parent, req.name()));
      return info_of(t, *n);
    }
    if (!req.add()) {
      if (!n || n->is_dir()) return proto::EntryInfo();  // the last link went already
      if (COMBFS_TRY(t.delete_remote_name(id, req.node(), parent, req.name()))) COMBFS_CHECK(drop_link(t, *n));
      if (!COMBFS_TRY(t.find_inode(id))) return proto::EntryInfo();
      return info_of(t, *n);
    }
    if (!n) return error(proto::META_NOT_FOUND, fmt::format("entry {} does not exist on metad {}", id.to_string(), options_.node_id));
    if (n->is_dir())
      return error(proto::PERMISSION_DENIED, fmt::format("{} is a directory: directories cannot be hard-linked", id.to_string()));
    if (n->orphan)
      return error(proto::META_NOT_FOUND, fmt::format("{} was unlinked: an unlinked file cannot get a new name", id.to_string()));
    if (COMBFS_TRY(t.insert_remote_name(id, req.node(), parent, req.name()))) {
      if (n->nlink >= kMaxLinks)
        return error(proto::META_TOO_MANY_LINKS, fmt::format("{} already has the maximum of {} links", id.to_string(), kMaxLinks));
      n->nlink += 1;
      n->ctime_ns = now();
      COMBFS_CHECK(t.update_inode(*n));
    }
    return info_of(t, *n);
  });
}

Result<proto::RemoteInsertDentryResponse> MetaStore::remote_insert_dentry(const proto::RemoteInsertDentryRequest& req) {
  COMBFS_CHECK(check_name(req.name()));
  return write([&](Tables& t) -> Result<proto::RemoteInsertDentryResponse> {
    proto::RemoteInsertDentryResponse resp;
    if (auto seen = COMBFS_TRY(t.find_applied(req.origin(), req.op()))) {
      if (!seen->applied)
        return error(proto::META_BUSY, fmt::format("rename {} of metad {} was given up by that metad", req.op(), req.origin()));
      resp.ParseFromString(seen->response);
      return resp;
    }
    const EntryId parent_id = EntryId::from_proto(req.parent());
    const EntryId child = EntryId::from_proto(req.child());
    const EntryId expect = EntryId::from_proto(req.expect_replaced());
    const bool is_dir = req.child_type() == proto::FT_DIR;
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    auto existing = COMBFS_TRY(t.find_dentry(parent_id, req.name()));
    if (existing && existing->child == child) return resp;  // another name of the same file: nothing happens
    if ((existing ? existing->child : EntryId{}) != expect)
      return error(proto::UNAVAILABLE, fmt::format("'{}' in directory {} changed while a rename prepared; try again",
                                                   req.name(), parent_id.to_string()));
    if (existing) {
      if (req.flags() & proto::RENAME_FLAG_NOREPLACE)
        return error(proto::META_EXISTS, fmt::format("'{}' already exists in directory {}", req.name(), parent_id.to_string()));
      const bool dst_dir = existing->child_type == proto::FT_DIR;
      if (is_dir && !dst_dir)
        return error(proto::META_NOT_DIR, fmt::format("cannot replace non-directory '{}' with a directory", req.name()));
      if (!is_dir && dst_dir)
        return error(proto::META_IS_DIR, fmt::format("cannot replace directory '{}' with a non-directory", req.name()));
      if (is_remote(*existing)) {
        // The coordinator prepared a remote directory for removal; it releases it.
        existing->child.to_proto(resp.mutable_replaced());
        resp.set_replaced_owner(existing->child_owner);
        resp.set_replaced_type(existing->child_type);
      } else {
        Inode old = COMBFS_TRY(load(t, existing->child));
        if (dst_dir && !old.shards.empty())
          return error(proto::META_BUSY, fmt::format("'{}' is a hashed directory: remove it before replacing it", req.name()));
        if (dst_dir && !COMBFS_TRY(t.dir_is_empty(old.id)))
          return error(proto::META_NOT_EMPTY, fmt::format("cannot replace directory '{}': it is not empty", req.name()));
        COMBFS_CHECK(drop_link(t, old));
      }
      COMBFS_CHECK(t.delete_dentry(existing->seq));
      if (dst_dir) parent.nlink = parent.nlink > 2 ? parent.nlink - 1 : 2;
    }
    COMBFS_CHECK(t.insert_dentry(parent_id, req.name(), child, req.child_type(), stored_owner(req.child_owner())));
    // A file stored here got this name recorded as a remote name first (the
    // link it counts); now that the name is a dentry here, it is a local one.
    if (!is_dir && stored_owner(req.child_owner()) == 0)
      COMBFS_CHECK(t.delete_remote_name(child, options_.node_id, parent_id, req.name()));
    if (is_dir) parent.nlink += 1;
    COMBFS_CHECK(touch_dir(t, parent));
    COMBFS_CHECK(t.put_applied(req.origin(), req.op(), AppliedOp{true, resp.SerializeAsString()}, now()));
    return resp;
  });
}

Result<proto::RemoteOpAppliedResponse> MetaStore::op_applied(uint32_t origin, uint64_t op, bool fence) {
  return write([&](Tables& t) -> Result<proto::RemoteOpAppliedResponse> {
    proto::RemoteOpAppliedResponse resp;
    if (auto seen = COMBFS_TRY(t.find_applied(origin, op))) {
      resp.set_applied(seen->applied);
      if (seen->applied) resp.mutable_response()->ParseFromString(seen->response);
      return resp;
    }
    if (fence) COMBFS_CHECK(t.put_applied(origin, op, AppliedOp{false, ""}, now()));
    return resp;
  });
}

Result<proto::RemoteAncestryResponse> MetaStore::ancestry(EntryId dir, EntryId ancestor) {
  return read([&](Tables& t) -> Result<proto::RemoteAncestryResponse> {
    proto::RemoteAncestryResponse resp;
    EntryId cur = dir;
    for (int depth = 0; depth < 100000; ++depth) {
      if (cur == ancestor) {
        resp.set_found(true);
        resp.set_done(true);
        return resp;
      }
      if (cur == EntryId::root()) {
        resp.set_done(true);
        return resp;
      }
      auto n = COMBFS_TRY(t.find_inode(cur));
      if (!n)
        return error(proto::META_NOT_FOUND, fmt::format("directory {} does not exist on metad {}", cur.to_string(), options_.node_id));
      if (is_remote_owner(n->parent_owner)) {
        if (n->parent == ancestor) {
          resp.set_found(true);
          resp.set_done(true);
          return resp;
        }
        n->parent.to_proto(resp.mutable_next());
        resp.set_next_owner(n->parent_owner);
        return resp;
      }
      cur = n->parent;
    }
    return error(proto::INTERNAL, fmt::format("parent chain of directory {} does not end at the root", dir.to_string()));
  });
}

Result<void> MetaStore::prune_applied(int64_t age_ns) {
  return write([&](Tables& t) { return t.prune_applied(now() - age_ns); });
}

}  // namespace combfs::metad
