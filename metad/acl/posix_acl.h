// POSIX ACLs as Linux keeps them (fs/posix_acl.c), as pure functions over
// values: the xattr form of system.posix_acl_access / system.posix_acl_default,
// the rules an ACL must obey, and how an ACL and a file's mode bits follow
// each other. metad stores ACLs as ordinary extended attributes and applies
// these rules in the transaction that changes the inode (docs/posix.md,
// "POSIX ACLs"); the kernel enforces them (FUSE_CAP_POSIX_ACL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace combfs::metad::acl {

inline constexpr const char* kAccessXattr = "system.posix_acl_access";
inline constexpr const char* kDefaultXattr = "system.posix_acl_default";

// Entry tags (include/uapi/linux/posix_acl.h); the order of an ACL's entries.
enum Tag : uint16_t {
  kUserObj = 0x01,
  kUser = 0x02,
  kGroupObj = 0x04,
  kGroup = 0x08,
  kMask = 0x10,
  kOther = 0x20,
};
inline constexpr uint32_t kUndefinedId = 0xffffffff;  // the id of entries that name no one
inline constexpr uint32_t kXattrVersion = 2;

struct Entry {
  uint16_t tag = 0;
  uint16_t perm = 0;  // rwx as 4|2|1
  uint32_t id = kUndefinedId;  // kUser/kGroup only
  bool operator==(const Entry&) const = default;
};

// A valid ACL: kUserObj, any kUser, kGroupObj, any kGroup, kMask (required
// when there are named entries), kOther, each named entry with a real id.
struct Acl {
  std::vector<Entry> entries;
  bool operator==(const Acl&) const = default;
};

// Whether `name` is one of the two ACL attributes.
bool is_acl_xattr(std::string_view name);

// The xattr form: little-endian u32 version 2, then per entry u16 tag, u16
// perm, u32 id. An empty ACL (the header only) is nullopt: setting it means
// removing the ACL, as in the kernel. META_INVALID (EINVAL) for another
// version, a size that is not header + n entries, or an invalid ACL.
Result<std::optional<Acl>> parse(std::string_view blob);
// The canonical xattr form (ids of unnamed entries written as kUndefinedId).
std::string serialize(const Acl& acl);
// posix_acl_valid: order, uniqueness of the object entries, permissions,
// ids and the mask rule. META_INVALID naming the first problem.
Result<void> validate(const Acl& acl);

// The minimal ACL of a mode (owner, group, other entries).
Acl from_mode(uint32_t mode);
// posix_acl_equiv_mode: the permission bits (0777) the ACL stands for, in
// place of mode's; true when the ACL says no more than these bits (no named
// entries, no mask), so it need not be stored.
struct EquivMode {
  uint32_t mode = 0;  // `mode` with its 0777 bits replaced
  bool equivalent = false;
};
EquivMode equiv_mode(const Acl& acl, uint32_t mode);

// posix_acl_chmod: the access ACL after chmod to `mode`: owner and other
// entries take the new bits, and the group bits go to the mask (or the
// group entry when there is no mask). Named entries stay.
Acl chmod(Acl acl, uint32_t mode);

// What a new inode gets from its directory (posix_acl_create).
struct Inherited {
  uint32_t mode = 0;                // the new inode's mode
  std::optional<Acl> access;        // to store as its access ACL (none: the mode says it all)
  std::optional<Acl> default_acl;   // directories: the default ACL they inherit
};
// `mode` is the mode the creator asked for (type bits included), `umask`
// the creator's. Without a default ACL on the parent: mode & ~umask, no
// ACLs. With one: the umask is ignored; the new access ACL is the default
// ACL with each class limited by the mode (the group class through the
// mask), the mode limited by the ACL, and directories keep the default ACL.
Inherited inherit(const std::optional<Acl>& parent_default, uint32_t mode, uint32_t umask);

}  // namespace combfs::metad::acl
