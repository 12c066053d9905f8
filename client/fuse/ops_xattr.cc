// Extended attributes, forwarded to the entry's metad, plus the virtual
// "user.combfs.entryinfo" (client/lib/entryinfo_xattr.h) that fsctl reads.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "client/fuse/fs.h"
#include "client/lib/entryinfo_xattr.h"

namespace combfs::fuse {
namespace {

// size 0 asks for the length only; a too small buffer is ERANGE (getxattr(2)).
void reply_value(fuse_req_t req, const std::string& value, size_t size) {
  if (size == 0)
    fuse_reply_xattr(req, value.size());
  else if (value.size() > size)
    fuse_reply_err(req, ERANGE);
  else
    fuse_reply_buf(req, value.data(), value.size());
}

bool is_virtual(const char* name) { return std::strcmp(name, client::kEntryInfoXattr) == 0; }

bool has_prefix(const char* name, const char* prefix) { return std::strncmp(name, prefix, std::strlen(prefix)) == 0; }

// The kernel hands FUSE every name; a local file system only knows the
// user., trusted. and security. namespaces (EOPNOTSUPP otherwise, EINVAL for
// an empty name after the prefix) and, in system., the two POSIX ACLs. ACLs
// are accepted only when the kernel enforces them (Fs::posix_acl): storing
// ACLs that nothing enforces would be worse than refusing them
// (docs/posix.md). metad validates them and keeps the mode in step. Replies
// and returns false when the name is refused.
bool check_name(fuse_req_t req, const char* name) {
  for (const char* prefix : {"user.", "trusted.", "security."}) {
    if (!has_prefix(name, prefix)) continue;
    if (name[std::strlen(prefix)] == '\0') {
      fuse_reply_err(req, EINVAL);
      return false;
    }
    return true;
  }
  if (fs_of(req).posix_acl &&
      (std::strcmp(name, "system.posix_acl_access") == 0 || std::strcmp(name, "system.posix_acl_default") == 0))
    return true;
  fuse_reply_err(req, EOPNOTSUPP);
  return false;
}

// Setting an access ACL recomputes the mode, which loses S_ISGID when the
// caller is not in the file's group (posix_acl_update_mode). The kernel's
// flag for it (FUSE_SETXATTR_ACL_KILL_SGID) does not reach libfuse 3.14's
// setxattr, so metad decides from the caller's groups; root (standing in
// for CAP_FSETID) sends none.
std::vector<uint32_t> acl_caller_groups(fuse_req_t req, const char* name) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  if (ctx->uid == 0 || std::strcmp(name, "system.posix_acl_access") != 0) return {};
  std::vector<uint32_t> groups{static_cast<uint32_t>(ctx->gid)};
  gid_t list[256];
  int n = fuse_req_getgroups(req, 256, list);
  for (int i = 0; i < std::min(n, 256); ++i) groups.push_back(static_cast<uint32_t>(list[i]));
  return groups;
}

// Like ext4, trusted.* names are listed only to the privileged (the kernel
// already refuses to read or write them for others; root stands in for
// CAP_SYS_ADMIN, which FUSE does not pass on).
bool listed_to(fuse_req_t req, const std::string& name) {
  return fuse_req_ctx(req)->uid == 0 || !has_prefix(name.c_str(), "trusted.");
}

}  // namespace

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  if (is_virtual(name)) {
    client::EntryInfoXattr x{inode->id, fs.owner(*inode), fs.config.mgmtd, fs.config.secret_file};
    return reply_value(req, client::format_entryinfo(x), size);
  }
  if (!check_name(req, name)) return;
  const bool caps = std::strcmp(name, kCapabilityXattr) == 0;
  if (caps && fs.no_caps.known_absent(ino)) return (void)fuse_reply_err(req, ENODATA);
  auto value = fs.meta.getxattr(fs.owner(*inode), inode->id, name);
  if (!value) {
    if (caps && value.error().code() == proto::META_NO_XATTR) fs.no_caps.remember_absent(ino);
    return reply_status(req, "getxattr", value.error());
  }
  reply_value(req, *value, size);
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  if (is_virtual(name)) {
    fuse_reply_err(req, EPERM);
    return;
  }
  if (!check_name(req, name)) return;
  fs.no_caps.forget(ino);
  auto done = fs.meta.setxattr(fs.owner(*inode), inode->id, name, std::string(value, size), static_cast<uint32_t>(flags),
                               acl_caller_groups(req, name));
  if (!done) return reply_status(req, "setxattr", done.error());
  fuse_reply_err(req, 0);
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  auto names = fs.meta.listxattr(fs.owner(*inode), inode->id);
  if (!names) return reply_status(req, "listxattr", names.error());
  std::string packed;  // "a\0b\0"; the virtual attribute is not listed
  for (const auto& n : *names) {
    if (!listed_to(req, n)) continue;
    packed += n;
    packed.push_back('\0');
  }
  reply_value(req, packed, size);
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  if (is_virtual(name)) {
    fuse_reply_err(req, EPERM);
    return;
  }
  if (!check_name(req, name)) return;
  fs.no_caps.forget(ino);
  auto done = fs.meta.removexattr(fs.owner(*inode), inode->id, name);
  if (!done) return reply_status(req, "removexattr", done.error());
  fuse_reply_err(req, 0);
}

}  // namespace combfs::fuse
