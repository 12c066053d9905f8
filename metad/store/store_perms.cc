// MetaStore: the permissions a new entry inherits (setgid directories,
// default ACLs, umask) and POSIX ACLs kept in step with the mode, each in the
// transaction of the operation that needs it (docs/posix.md, "POSIX ACLs").
// The ACL rules themselves are in metad/acl/posix_acl.h.
#include <sys/stat.h>

#include <algorithm>

#include "metad/acl/posix_acl.h"
#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {
// A stored ACL that does not parse was written by a bug or by hand: say so
// rather than guess.
Result<std::optional<acl::Acl>> load_acl(Tables& t, EntryId id, const char* name) {
  auto blob = COMBFS_TRY(t.get_xattr(id, name));
  if (!blob) return std::optional<acl::Acl>();
  auto parsed = acl::parse(*blob);
  if (!parsed)
    return error(proto::INTERNAL, fmt::format("stored {} of {} is corrupt ({}); remove it with setfacl -b / -k", name,
                                              id.to_string(), parsed.error().message()));
  return std::move(*parsed);
}
}  // namespace

Result<NewPerms> MetaStore::new_perms(Tables& t, const Inode& parent, uint32_t mode, uint32_t gid, uint32_t umask) {
  NewPerms p;
  p.gid = gid;
  // Setgid directory (ext4's inode_init_owner): the group comes from the
  // directory, and subdirectories carry the rule on. The kernel has already
  // dropped S_ISGID from a new file's mode when the creator is not in the group.
  if (parent.mode & S_ISGID) {
    p.gid = parent.gid;
    if (S_ISDIR(mode)) mode |= S_ISGID;
  }
  if (S_ISLNK(mode)) {  // symlinks have neither ACLs nor a umask
    p.mode = mode;
    return p;
  }
  auto inherited = acl::inherit(COMBFS_TRY(load_acl(t, parent.id, acl::kDefaultXattr)), mode, umask);
  p.mode = inherited.mode;
  if (inherited.access) p.access_acl = acl::serialize(*inherited.access);
  if (inherited.default_acl) p.default_acl = acl::serialize(*inherited.default_acl);
  return p;
}

Result<void> MetaStore::put_new_acls(Tables& t, EntryId id, const NewPerms& perms) {
  if (!perms.access_acl.empty()) COMBFS_CHECK(t.put_xattr(id, acl::kAccessXattr, perms.access_acl));
  if (!perms.default_acl.empty()) COMBFS_CHECK(t.put_xattr(id, acl::kDefaultXattr, perms.default_acl));
  return {};
}

Result<void> MetaStore::set_acl(Tables& t, Inode& n, const std::string& name, const std::string& value,
                                const std::vector<uint32_t>& caller_groups) {
  if (n.type == proto::FT_SYMLINK)
    return error(proto::NOT_SUPPORTED, fmt::format("{} is a symbolic link: symbolic links have no ACLs", n.id.to_string()));
  auto parsed = COMBFS_TRY(acl::parse(value));
  if (name == acl::kDefaultXattr) {
    if (!n.is_dir()) {
      if (!parsed) return {};  // removing what cannot exist
      return error(proto::ACCESS_DENIED,
                   fmt::format("{} is not a directory: only directories have a default ACL", n.id.to_string()));
    }
    if (!parsed) return remove_acl(t, n, name);
    COMBFS_CHECK(t.put_xattr(n.id, name, acl::serialize(*parsed)));
    n.ctime_ns = now();
    return t.update_inode(n);
  }
  if (!parsed) return remove_acl(t, n, name);
  // The mode shows the ACL's owner, group class (the mask) and other
  // permissions; an ACL with nothing more is kept as the mode alone (ext4's
  // posix_acl_update_mode).
  acl::EquivMode equiv = acl::equiv_mode(*parsed, n.mode);
  n.mode = equiv.mode;
  if (!caller_groups.empty() && std::find(caller_groups.begin(), caller_groups.end(), n.gid) == caller_groups.end())
    n.mode &= ~uint32_t(S_ISGID);
  if (equiv.equivalent)
    COMBFS_CHECK(t.delete_xattr(n.id, name));
  else
    COMBFS_CHECK(t.put_xattr(n.id, name, acl::serialize(*parsed)));
  n.ctime_ns = now();
  return t.update_inode(n);
}

Result<void> MetaStore::remove_acl(Tables& t, Inode& n, const std::string& name) {
  // Like ext4: removing an ACL that is not there is no error, and removing the
  // access ACL leaves the mode as it is.
  if (!COMBFS_TRY(t.delete_xattr(n.id, name))) return {};
  n.ctime_ns = now();
  return t.update_inode(n);
}

Result<void> MetaStore::chmod_acl(Tables& t, const Inode& n) {
  if (n.type == proto::FT_SYMLINK) return {};
  auto access = COMBFS_TRY(load_acl(t, n.id, acl::kAccessXattr));
  if (!access) return {};
  return t.put_xattr(n.id, acl::kAccessXattr, acl::serialize(acl::chmod(std::move(*access), n.mode)));
}

}  // namespace combfs::metad
