// MetaStore: adding and removing names (create, mkdir, symlink, link, unlink, rmdir).
#include <sys/stat.h>

#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {
std::unexpected<Status> exists(EntryId parent, const std::string& name) {
  return error(proto::META_EXISTS, fmt::format("'{}' already exists in directory {}", name, parent.to_string()));
}
}  // namespace

Result<CreateResult> MetaStore::create(const CreateArgs& args, const ChooseTargets& choose) {
  COMBFS_CHECK(check_name(args.name));
  uint32_t mode = args.mode;
  if ((mode & S_IFMT) == 0) mode |= S_IFREG;
  proto::FileType type = file_type_of_mode(mode);
  if (type == proto::FT_DIR || type == proto::FT_SYMLINK || type == proto::FT_UNKNOWN)
    return error(proto::META_INVALID,
                 fmt::format("create of '{}' with mode {:o}: only regular files, FIFOs, devices and sockets are created "
                             "this way (use MkDir or Symlink)",
                             args.name, args.mode));
  return write([&](Tables& t) -> Result<CreateResult> {
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, args.parent));
    if (auto d = COMBFS_TRY(t.find_dentry(args.parent, args.name))) {
      if (args.exclusive || type != proto::FT_REG) return exists(args.parent, args.name);
      if (is_remote(*d)) {
        // Stored on another metad: the client opens it there (no writer counted here).
        if (d->child_type == proto::FT_DIR)
          return error(proto::META_IS_DIR, fmt::format("'{}' in directory {} is a directory", args.name, args.parent.to_string()));
        if (d->child_type != proto::FT_REG) return exists(args.parent, args.name);
        return CreateResult{partial_info(*d), false};
      }
      Inode existing = COMBFS_TRY(load(t, d->child));
      if (existing.is_dir())
        return error(proto::META_IS_DIR, fmt::format("'{}' in directory {} is a directory", args.name, args.parent.to_string()));
      if (!existing.is_reg()) return exists(args.parent, args.name);
      if (args.open_for_write) {
        OpenCounts c = COMBFS_TRY(t.open_counts(existing.id, args.client_id));
        c.writers += 1;
        COMBFS_CHECK(t.set_open_counts(existing.id, args.client_id, c));
      }
      return CreateResult{COMBFS_TRY(info_of(t, existing)), false};
    }

    NewPerms perms = COMBFS_TRY(new_perms(t, parent, mode, args.gid, args.umask));
    Inode n;
    n.id = COMBFS_TRY(allocate_id(t));
    n.type = type;
    n.mode = perms.mode;
    n.uid = args.uid;
    n.gid = perms.gid;
    n.nlink = 1;
    n.atime_ns = n.mtime_ns = n.ctime_ns = now();
    if (type == proto::FT_CHR || type == proto::FT_BLK) n.rdev = args.rdev;
    if (type == proto::FT_REG) {
      n.pattern = parent.pattern;
      n.targets = COMBFS_TRY(choose(parent.pattern));
      if (n.targets.empty()) return error(proto::MGMT_NO_TARGETS, "placement chose no storage target for the new file");
      // Striping uses the number of targets the file really got.
      n.pattern.set_num_targets(static_cast<uint32_t>(n.targets.size()));
    }
    COMBFS_CHECK(t.insert_inode(n));
    COMBFS_CHECK(put_new_acls(t, n.id, perms));
    COMBFS_CHECK(t.insert_dentry(args.parent, args.name, n.id, n.type));
    if (args.open_for_write && type == proto::FT_REG) COMBFS_CHECK(t.set_open_counts(n.id, args.client_id, {0, 1}));
    COMBFS_CHECK(touch_dir(t, parent));
    effects_.entry_delta += 1;
    return CreateResult{COMBFS_TRY(info_of(t, n)), true};
  });
}

Result<proto::EntryInfo> MetaStore::mkdir(EntryId parent_id, const std::string& name, uint32_t mode, uint32_t uid,
                                          uint32_t gid, uint32_t umask) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, name))) return exists(parent_id, name);
    if (parent.nlink >= kMaxLinks)
      return error(proto::META_TOO_MANY_LINKS,
                   fmt::format("directory {} already has the maximum of {} subdirectories", parent_id.to_string(), kMaxLinks - 2));
    NewPerms perms = COMBFS_TRY(new_perms(t, parent, S_IFDIR | (mode & 07777), gid, umask));
    Inode n;
    n.id = COMBFS_TRY(allocate_id(t));
    n.type = proto::FT_DIR;
    n.mode = perms.mode;
    n.uid = uid;
    n.gid = perms.gid;
    n.size = kDirSize;
    n.nlink = 2;
    n.atime_ns = n.mtime_ns = n.ctime_ns = now();
    n.parent = parent_id;
    n.pattern = parent.pattern;
    COMBFS_CHECK(t.insert_inode(n));
    COMBFS_CHECK(put_new_acls(t, n.id, perms));
    COMBFS_CHECK(t.insert_dentry(parent_id, name, n.id, n.type));
    parent.nlink += 1;
    COMBFS_CHECK(touch_dir(t, parent));
    effects_.entry_delta += 1;
    return info_of(t, n);
  });
}

Result<proto::EntryInfo> MetaStore::symlink(EntryId parent_id, const std::string& name, const std::string& target,
                                            uint32_t uid, uint32_t gid) {
  COMBFS_CHECK(check_name(name));
  if (target.empty()) return error(proto::META_NOT_FOUND, "symbolic link target is empty");
  if (target.size() > kMaxSymlinkLength)
    return error(proto::META_NAME_TOO_LONG,
                 fmt::format("symbolic link target of {} bytes is longer than {} bytes", target.size(), kMaxSymlinkLength));
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, name))) return exists(parent_id, name);
    NewPerms perms = COMBFS_TRY(new_perms(t, parent, S_IFLNK | 0777, gid, 0));
    Inode n;
    n.id = COMBFS_TRY(allocate_id(t));
    n.type = proto::FT_SYMLINK;
    n.mode = perms.mode;
    n.uid = uid;
    n.gid = perms.gid;
    n.size = target.size();
    n.nlink = 1;
    n.atime_ns = n.mtime_ns = n.ctime_ns = now();
    n.symlink_target = target;
    COMBFS_CHECK(t.insert_inode(n));
    COMBFS_CHECK(t.insert_dentry(parent_id, name, n.id, n.type));
    COMBFS_CHECK(touch_dir(t, parent));
    effects_.entry_delta += 1;
    return info_of(t, n);
  });
}

Result<proto::EntryInfo> MetaStore::link(EntryId id, EntryId parent_id, const std::string& name) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode n = COMBFS_TRY(load(t, id));
    if (n.is_dir())
      return error(proto::PERMISSION_DENIED, fmt::format("{} is a directory: directories cannot be hard-linked", id.to_string()));
    if (n.orphan)
      return error(proto::META_NOT_FOUND, fmt::format("{} was unlinked: an unlinked file cannot get a new name", id.to_string()));
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, name))) return exists(parent_id, name);
    if (n.nlink >= kMaxLinks)
      return error(proto::META_TOO_MANY_LINKS, fmt::format("{} already has the maximum of {} links", id.to_string(), kMaxLinks));
    n.nlink += 1;
    n.ctime_ns = now();
    COMBFS_CHECK(t.update_inode(n));
    COMBFS_CHECK(t.insert_dentry(parent_id, name, n.id, n.type));
    COMBFS_CHECK(touch_dir(t, parent));
    return info_of(t, n);
  });
}

Result<void> MetaStore::unlink(EntryId parent_id, const std::string& name, JournalSeqs* followups) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<void> {
    Inode parent = COMBFS_TRY(load_dir(t, parent_id));
    Dentry d = COMBFS_TRY(load_dentry(t, parent_id, name));
    if (is_remote(d)) {
      if (d.child_type == proto::FT_DIR)
        return error(proto::META_IS_DIR, fmt::format("'{}' in directory {} is a directory: use rmdir", name, parent_id.to_string()));
      // The name goes now; the file's metad drops the link by the record.
      COMBFS_CHECK(t.delete_dentry(d.seq));
      proto::MetaJournalRecord record = release_record(d);
      int64_t seq = COMBFS_TRY(add_record(t, record));
      if (followups) followups->push_back(seq);
      return touch_dir(t, parent);
    }
    Inode child = COMBFS_TRY(load(t, d.child));
    if (child.is_dir())
      return error(proto::META_IS_DIR, fmt::format("'{}' in directory {} is a directory: use rmdir", name, parent_id.to_string()));
    COMBFS_CHECK(t.delete_dentry(d.seq));
    COMBFS_CHECK(drop_link(t, child));
    return touch_dir(t, parent);
  });
}

Result<void> MetaStore::rmdir(EntryId parent_id, const std::string& name) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<void> {
    Inode parent = COMBFS_TRY(load_dir(t, parent_id));
    Dentry d = COMBFS_TRY(load_dentry(t, parent_id, name));
    if (is_remote(d)) {
      if (d.child_type != proto::FT_DIR)
        return error(proto::META_NOT_DIR, fmt::format("'{}' in directory {} is not a directory", name, parent_id.to_string()));
      return error(proto::META_NOT_OWNER, fmt::format("directory '{}' in {} is stored on metad {}", name,
                                                      parent_id.to_string(), d.child_owner));
    }
    Inode child = COMBFS_TRY(load(t, d.child));
    if (child.is_dir() && !child.shards.empty())
      return error(proto::META_NOT_OWNER, fmt::format("directory '{}' in {} is hashed: its shards must be checked",
                                                      name, parent_id.to_string()));
    if (!child.is_dir())
      return error(proto::META_NOT_DIR, fmt::format("'{}' in directory {} is not a directory", name, parent_id.to_string()));
    if (child.id == EntryId::root()) return error(proto::META_BUSY, "the root directory cannot be removed");
    if (!COMBFS_TRY(t.dir_is_empty(child.id)))
      return error(proto::META_NOT_EMPTY, fmt::format("directory '{}' in {} is not empty", name, parent_id.to_string()));
    COMBFS_CHECK(t.delete_dentry(d.seq));
    COMBFS_CHECK(remove_inode(t, child));
    parent.nlink = parent.nlink > 2 ? parent.nlink - 1 : 2;
    return touch_dir(t, parent);
  });
}

}  // namespace combfs::metad
