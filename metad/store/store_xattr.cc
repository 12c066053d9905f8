// MetaStore: extended attributes, kept per inode (so hard links share them).
#include <sys/xattr.h>

#include "metad/acl/posix_acl.h"
#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {
Result<void> check_xattr_name(const std::string& name) {
  if (name.empty()) return error(proto::META_INVALID, "empty extended attribute name");
  if (name.size() > kMaxXattrNameLength || name.find('\0') != std::string::npos)
    return error(proto::META_RANGE,
                 fmt::format("extended attribute name of {} bytes is longer than {} bytes or contains NUL", name.size(),
                             kMaxXattrNameLength));
  return {};
}

std::unexpected<Status> no_xattr(EntryId id, const std::string& name) {
  return error(proto::META_NO_XATTR, fmt::format("{} has no extended attribute '{}'", id.to_string(), name));
}
}  // namespace

Result<std::string> MetaStore::get_xattr(EntryId id, const std::string& name) {
  COMBFS_CHECK(check_xattr_name(name));
  return read([&](Tables& t) -> Result<std::string> {
    COMBFS_CHECK(load(t, id));
    auto value = COMBFS_TRY(t.get_xattr(id, name));
    if (!value) return no_xattr(id, name);
    return std::move(*value);
  });
}

Result<void> MetaStore::set_xattr(EntryId id, const std::string& name, const std::string& value, uint32_t flags,
                                  const std::vector<uint32_t>& caller_groups) {
  COMBFS_CHECK(check_xattr_name(name));
  if (value.size() > kMaxXattrValueLength)
    return error(proto::NO_SPACE, fmt::format("extended attribute value of {} bytes exceeds the limit of {} bytes",
                                              value.size(), kMaxXattrValueLength));
  if ((flags & XATTR_CREATE) && (flags & XATTR_REPLACE))
    return error(proto::META_INVALID, "XATTR_CREATE and XATTR_REPLACE exclude each other");
  return write([&](Tables& t) -> Result<void> {
    Inode n = COMBFS_TRY(load(t, id));
    if (acl::is_acl_xattr(name)) return set_acl(t, n, name, value, caller_groups);
    bool present = COMBFS_TRY(t.get_xattr(id, name)).has_value();
    if ((flags & XATTR_CREATE) && present)
      return error(proto::META_EXISTS, fmt::format("{} already has extended attribute '{}'", id.to_string(), name));
    if ((flags & XATTR_REPLACE) && !present) return no_xattr(id, name);
    COMBFS_CHECK(t.put_xattr(id, name, value));
    n.ctime_ns = now();
    return t.update_inode(n);
  });
}

Result<std::vector<std::string>> MetaStore::list_xattr(EntryId id) {
  return read([&](Tables& t) -> Result<std::vector<std::string>> {
    COMBFS_CHECK(load(t, id));
    return t.list_xattrs(id);
  });
}

Result<void> MetaStore::remove_xattr(EntryId id, const std::string& name) {
  COMBFS_CHECK(check_xattr_name(name));
  return write([&](Tables& t) -> Result<void> {
    Inode n = COMBFS_TRY(load(t, id));
    if (acl::is_acl_xattr(name)) return remove_acl(t, n, name);
    if (!COMBFS_TRY(t.delete_xattr(id, name))) return no_xattr(id, name);
    n.ctime_ns = now();
    return t.update_inode(n);
  });
}

}  // namespace combfs::metad
