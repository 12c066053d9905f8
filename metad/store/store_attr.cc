// MetaStore: reading and changing one entry's attributes.
#include <sys/stat.h>

#include "common/set_id_bits.h"
#include "metad/store/store_internal.h"
#include "striping/striping.h"

namespace combfs::metad {

Result<proto::EntryInfo> MetaStore::lookup(EntryId parent, const std::string& name) {
  COMBFS_CHECK(check_name(name));
  return read([&](Tables& t) -> Result<proto::EntryInfo> {
    COMBFS_CHECK(load_dir(t, parent));
    Dentry d = COMBFS_TRY(load_dentry(t, parent, name));
    if (is_remote(d)) return partial_info(d);
    Inode child = COMBFS_TRY(load(t, d.child));
    return info_of(t, child);
  });
}

Result<proto::EntryInfo> MetaStore::get_attr(EntryId id) {
  return read([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode inode = COMBFS_TRY(load(t, id));
    return info_of(t, inode);
  });
}

Result<proto::EntryInfo> MetaStore::set_attr(const proto::SetAttrRequest& req) {
  const uint32_t valid = req.valid();
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    EntryId id = EntryId::from_proto(req.id());
    Inode n = COMBFS_TRY(load(t, id));
    const int64_t ts = now();
    if (valid & proto::SETATTR_SIZE) {
      if (n.is_dir()) return error(proto::META_IS_DIR, fmt::format("cannot set the size of directory {}", id.to_string()));
      if (!n.is_reg())
        return error(proto::META_INVALID, fmt::format("cannot set the size of {}: not a regular file", id.to_string()));
      n.size = req.size();
      // truncate changes the content's time even when the caller did not ask for it.
      if (!(valid & (proto::SETATTR_MTIME | proto::SETATTR_MTIME_NOW))) n.mtime_ns = ts;
    }
    if (valid & proto::SETATTR_MODE) n.mode = (n.mode & S_IFMT) | (req.mode() & 07777);
    const uint32_t killed = valid & proto::SETATTR_KILL_PRIVS ? set_id_bits_killed_by_write(n.mode) : 0;
    if (valid == proto::SETATTR_KILL_PRIVS && killed == 0) return info_of(t, n);  // no change, no new ctime
    n.mode &= ~killed;
    if (valid & proto::SETATTR_UID) n.uid = req.uid();
    if (valid & proto::SETATTR_GID) n.gid = req.gid();
    if (valid & proto::SETATTR_ATIME_NOW)
      n.atime_ns = ts;
    else if (valid & proto::SETATTR_ATIME)
      n.atime_ns = req.atime_ns();
    if (valid & proto::SETATTR_MTIME_NOW)
      n.mtime_ns = ts;
    else if (valid & proto::SETATTR_MTIME)
      n.mtime_ns = req.mtime_ns();
    if (valid & proto::SETATTR_CTIME)
      n.ctime_ns = req.ctime_ns();
    else if (valid != proto::SETATTR_NONE)
      n.ctime_ns = ts;
    COMBFS_CHECK(t.update_inode(n));
    if (valid & proto::SETATTR_MODE) COMBFS_CHECK(chmod_acl(t, n));
    return info_of(t, n);
  });
}

Result<proto::EntryInfo> MetaStore::update_size(EntryId id, uint64_t size, int64_t mtime_ns) {
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode n = COMBFS_TRY(load(t, id));
    if (n.is_dir()) return error(proto::META_IS_DIR, fmt::format("{} is a directory: it has no size to record", id.to_string()));
    if (!n.is_reg()) return error(proto::META_INVALID, fmt::format("{} is not a regular file", id.to_string()));
    n.size = size;
    if (mtime_ns != 0) {
      n.mtime_ns = mtime_ns;
      n.ctime_ns = std::max(n.ctime_ns, mtime_ns);
    }
    COMBFS_CHECK(t.update_inode(n));
    return info_of(t, n);
  });
}

Result<proto::EntryInfo> MetaStore::set_pattern(EntryId id, const proto::StripePattern& pattern) {
  if (pattern.type() != proto::PATTERN_RAID0 && pattern.type() != proto::PATTERN_BUDDYMIRROR)
    return error(proto::INVALID_ARGUMENT, fmt::format("unknown pattern type {}", static_cast<int>(pattern.type())));
  COMBFS_CHECK(striping::validate(striping::Pattern{pattern.chunk_size(), pattern.num_targets()}));
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode n = COMBFS_TRY(load(t, id));
    if (!n.is_dir())
      return error(proto::META_NOT_DIR,
                   fmt::format("{} is not a directory: a file's layout is fixed at create; set the pattern on its "
                               "directory before creating files",
                               id.to_string()));
    n.pattern = pattern;
    n.ctime_ns = now();
    COMBFS_CHECK(t.update_inode(n));
    return info_of(t, n);
  });
}

Result<std::string> MetaStore::read_link(EntryId id) {
  return read([&](Tables& t) -> Result<std::string> {
    Inode n = COMBFS_TRY(load(t, id));
    if (n.type != proto::FT_SYMLINK) return error(proto::META_INVALID, fmt::format("{} is not a symbolic link", id.to_string()));
    return n.symlink_target;
  });
}

}  // namespace combfs::metad
