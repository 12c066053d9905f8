// MetaStore: rename within this metad, with the POSIX rules for replacing an
// existing target, RENAME_NOREPLACE and RENAME_EXCHANGE.
#include "metad/store/store_internal.h"

namespace combfs::metad {

Result<void> MetaStore::rename(EntryId src_parent, const std::string& src_name, EntryId dst_parent,
                               const std::string& dst_name, uint32_t flags) {
  COMBFS_CHECK(check_name(src_name));
  COMBFS_CHECK(check_name(dst_name));
  const bool noreplace = flags & proto::RENAME_FLAG_NOREPLACE;
  const bool exchange = flags & proto::RENAME_FLAG_EXCHANGE;
  if (flags & ~uint32_t(proto::RENAME_FLAG_NOREPLACE | proto::RENAME_FLAG_EXCHANGE))
    return error(proto::META_INVALID, fmt::format("unknown rename flags {:#x}", flags));
  if (noreplace && exchange) return error(proto::META_INVALID, "rename flags NOREPLACE and EXCHANGE exclude each other");

  return write([&](Tables& t) -> Result<void> {
    // sp and dp may be the same directory: then both names refer to one object.
    Inode sp_inode = COMBFS_TRY(load_dir(t, src_parent));
    Inode dp_inode;
    const bool same_dir = src_parent == dst_parent;
    if (!same_dir) dp_inode = COMBFS_TRY(load_dir(t, dst_parent));
    Inode& sp = sp_inode;
    Inode& dp = same_dir ? sp_inode : dp_inode;

    Dentry src_d = COMBFS_TRY(load_dentry(t, src_parent, src_name));
    Inode src = COMBFS_TRY(load(t, src_d.child));
    auto dst_d = COMBFS_TRY(t.find_dentry(dst_parent, dst_name));
    std::optional<Inode> dst;
    if (dst_d) dst = COMBFS_TRY(load(t, dst_d->child));

    // NOREPLACE looks only at the name (like Linux, even for a link of src itself).
    if (noreplace && dst)
      return error(proto::META_EXISTS, fmt::format("'{}' already exists in directory {}", dst_name, dst_parent.to_string()));
    if (exchange && !dst) return no_entry(dst_parent, dst_name);
    // Onto itself or onto another name of the same file: POSIX says do nothing.
    if (dst && dst->id == src.id) return {};

    // A directory must not end up inside itself.
    if (src.is_dir() && COMBFS_TRY(is_in_subtree(t, dst_parent, src.id)))
      return error(proto::META_INVALID, fmt::format("cannot move directory '{}' into its own subtree", src_name));
    if (exchange && dst->is_dir() && COMBFS_TRY(is_in_subtree(t, src_parent, dst->id)))
      return error(proto::META_INVALID, fmt::format("cannot move directory '{}' into its own subtree", dst_name));

    const int64_t ts = now();
    if (exchange) {
      COMBFS_CHECK(t.set_dentry_child(src_d.seq, dst->id, dst->type));
      COMBFS_CHECK(t.set_dentry_child(dst_d->seq, src.id, src.type));
      if (!same_dir) {
        // Each directory that changes parent moves one ".." link with it.
        if (src.is_dir()) {
          src.parent = dst_parent;
          sp.nlink -= 1;
          dp.nlink += 1;
        }
        if (dst->is_dir()) {
          dst->parent = src_parent;
          dp.nlink -= 1;
          sp.nlink += 1;
        }
      }
      src.ctime_ns = dst->ctime_ns = ts;
      COMBFS_CHECK(t.update_inode(src));
      COMBFS_CHECK(t.update_inode(*dst));
    } else {
      if (dst) {
        if (src.is_dir() && !dst->is_dir())
          return error(proto::META_NOT_DIR,
                       fmt::format("cannot replace non-directory '{}' with directory '{}'", dst_name, src_name));
        if (!src.is_dir() && dst->is_dir())
          return error(proto::META_IS_DIR, fmt::format("cannot replace directory '{}' with non-directory '{}'", dst_name, src_name));
        if (dst->is_dir() && !COMBFS_TRY(t.dir_is_empty(dst->id)))
          return error(proto::META_NOT_EMPTY, fmt::format("cannot replace directory '{}': it is not empty", dst_name));
        COMBFS_CHECK(t.delete_dentry(dst_d->seq));
        if (dst->is_dir()) dp.nlink -= 1;
        COMBFS_CHECK(drop_link(t, *dst));
      }
      // A new dentry (new cookie): the entry shows up after the old cookies of dp.
      COMBFS_CHECK(t.delete_dentry(src_d.seq));
      COMBFS_CHECK(t.insert_dentry(dst_parent, dst_name, src.id, src.type));
      if (src.is_dir() && !same_dir) {
        src.parent = dst_parent;
        sp.nlink -= 1;
        dp.nlink += 1;
      }
      src.ctime_ns = ts;
      COMBFS_CHECK(t.update_inode(src));
    }
    sp.mtime_ns = sp.ctime_ns = ts;
    COMBFS_CHECK(t.update_inode(sp));
    if (!same_dir) {
      dp.mtime_ns = dp.ctime_ns = ts;
      COMBFS_CHECK(t.update_inode(dp));
    }
    return {};
  });
}

}  // namespace combfs::metad
