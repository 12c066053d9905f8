// The rules of fs/posix_acl.c, restated over values so that metad applies
// exactly what ext4 does (the kernel validates ACLs set through the mount
// too; metad checks again because it must never store one the kernel would
// fail to read back).
#include "metad/acl/posix_acl.h"

#include <fmt/format.h>
#include <sys/stat.h>

namespace combfs::metad::acl {
namespace {

constexpr size_t kHeaderSize = 4;
constexpr size_t kEntrySize = 8;
constexpr uint16_t kPermBits = 07;
constexpr uint32_t kRwxAll = 0777;  // the kernel's kRwxAll

uint32_t get_le(std::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

void put_le(std::string& b, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::unexpected<Status> invalid(const std::string& what) {
  return error(proto::META_INVALID, fmt::format("invalid POSIX ACL: {}; build it with setfacl(1) or acl_to_xattr", what));
}

bool named(uint16_t tag) { return tag == kUser || tag == kGroup; }

}  // namespace

bool is_acl_xattr(std::string_view name) { return name == kAccessXattr || name == kDefaultXattr; }

Result<std::optional<Acl>> parse(std::string_view blob) {
  if (blob.size() < kHeaderSize || (blob.size() - kHeaderSize) % kEntrySize != 0)
    return invalid(fmt::format("{} bytes is not a 4-byte header followed by 8-byte entries", blob.size()));
  if (uint32_t version = get_le(blob, 0, 4); version != kXattrVersion)
    return invalid(fmt::format("version {} (only version {} exists)", version, kXattrVersion));
  const size_t count = (blob.size() - kHeaderSize) / kEntrySize;
  if (count == 0) return std::optional<Acl>();
  Acl acl;
  acl.entries.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t at = kHeaderSize + i * kEntrySize;
    Entry e;
    e.tag = static_cast<uint16_t>(get_le(blob, at, 2));
    e.perm = static_cast<uint16_t>(get_le(blob, at + 2, 2));
    // Unnamed entries carry no id; whatever the caller wrote there means nothing.
    e.id = named(e.tag) ? get_le(blob, at + 4, 4) : kUndefinedId;
    acl.entries.push_back(e);
  }
  COMBFS_CHECK(validate(acl));
  return std::optional<Acl>(std::move(acl));
}

std::string serialize(const Acl& acl) {
  std::string b;
  b.reserve(kHeaderSize + acl.entries.size() * kEntrySize);
  put_le(b, kXattrVersion, 4);
  for (const Entry& e : acl.entries) {
    put_le(b, e.tag, 2);
    put_le(b, e.perm, 2);
    put_le(b, named(e.tag) ? e.id : kUndefinedId, 4);
  }
  return b;
}

Result<void> validate(const Acl& acl) {
  // A state machine over the required order (posix_acl_valid): the state is
  // the tag class that may come next.
  enum { kWantUserObj, kInUsers, kInGroups, kWantOther, kDone } state = kWantUserObj;
  bool needs_mask = false;
  for (size_t i = 0; i < acl.entries.size(); ++i) {
    const Entry& e = acl.entries[i];
    if (e.perm & ~kPermBits) return invalid(fmt::format("entry {} has permission bits {:#o} beyond rwx", i, e.perm));
    switch (e.tag) {
      case kUserObj:
        if (state != kWantUserObj) return invalid(fmt::format("entry {}: a second or misplaced owner entry", i));
        state = kInUsers;
        break;
      case kUser:
      case kGroup:
        if (state != (e.tag == kUser ? kInUsers : kInGroups))
          return invalid(fmt::format("entry {}: named {} entry out of order", i, e.tag == kUser ? "user" : "group"));
        if (e.id == kUndefinedId) return invalid(fmt::format("entry {}: named entry with the undefined id -1", i));
        needs_mask = true;
        break;
      case kGroupObj:
        if (state != kInUsers) return invalid(fmt::format("entry {}: a second or misplaced owning-group entry", i));
        state = kInGroups;
        break;
      case kMask:
        if (state != kInGroups) return invalid(fmt::format("entry {}: a second or misplaced mask entry", i));
        state = kWantOther;
        break;
      case kOther:
        if (state != kWantOther && !(state == kInGroups && !needs_mask))
          return invalid(fmt::format("entry {}: other entry misplaced, or a mask is missing (named entries need one)", i));
        state = kDone;
        break;
      default:
        return invalid(fmt::format("entry {} has the unknown tag {:#x}", i, e.tag));
    }
    if (state == kDone && i + 1 != acl.entries.size()) return invalid("entries after the other entry");
  }
  if (state != kDone) return invalid("owner, owning-group and other entries are required");
  return {};
}

Acl from_mode(uint32_t mode) {
  return Acl{{{kUserObj, static_cast<uint16_t>((mode >> 6) & 07), kUndefinedId},
              {kGroupObj, static_cast<uint16_t>((mode >> 3) & 07), kUndefinedId},
              {kOther, static_cast<uint16_t>(mode & 07), kUndefinedId}}};
}

EquivMode equiv_mode(const Acl& acl, uint32_t mode) {
  uint32_t bits = 0;
  bool equivalent = true;
  for (const Entry& e : acl.entries) {
    switch (e.tag) {
      case kUserObj: bits |= uint32_t(e.perm & 07) << 6; break;
      case kGroupObj: bits |= uint32_t(e.perm & 07) << 3; break;
      case kOther: bits |= e.perm & 07; break;
      case kMask:
        // The mask comes after the group entry: the group class is the mask.
        bits = (bits & ~uint32_t(S_IRWXG)) | (uint32_t(e.perm & 07) << 3);
        equivalent = false;
        break;
      default: equivalent = false; break;
    }
  }
  return {(mode & ~uint32_t(kRwxAll)) | bits, equivalent};
}

Acl chmod(Acl acl, uint32_t mode) {
  Entry* group_obj = nullptr;
  Entry* mask = nullptr;
  for (Entry& e : acl.entries) {
    switch (e.tag) {
      case kUserObj: e.perm = static_cast<uint16_t>((mode & S_IRWXU) >> 6); break;
      case kGroupObj: group_obj = &e; break;
      case kMask: mask = &e; break;
      case kOther: e.perm = static_cast<uint16_t>(mode & S_IRWXO); break;
      default: break;
    }
  }
  Entry* group_class = mask ? mask : group_obj;
  if (group_class) group_class->perm = static_cast<uint16_t>((mode & S_IRWXG) >> 3);
  return acl;
}

Inherited inherit(const std::optional<Acl>& parent_default, uint32_t mode, uint32_t umask) {
  Inherited out;
  if (!parent_default) {
    out.mode = mode & ~(umask & 0777);
    return out;
  }
  // posix_acl_create_masq: each class of the ACL and of the mode limit each other.
  Acl acl = *parent_default;
  uint32_t bits = mode;
  bool equivalent = true;
  Entry* group_obj = nullptr;
  Entry* mask = nullptr;
  for (Entry& e : acl.entries) {
    switch (e.tag) {
      case kUserObj:
        e.perm &= static_cast<uint16_t>((bits >> 6) & 07);
        bits &= (uint32_t(e.perm) << 6) | ~uint32_t(S_IRWXU);
        break;
      case kGroupObj: group_obj = &e; break;
      case kOther:
        e.perm &= static_cast<uint16_t>(bits & 07);
        bits &= uint32_t(e.perm) | ~uint32_t(S_IRWXO);
        break;
      case kMask:
        mask = &e;
        equivalent = false;
        break;
      default: equivalent = false; break;
    }
  }
  Entry* group_class = mask ? mask : group_obj;
  if (group_class) {
    group_class->perm &= static_cast<uint16_t>((bits >> 3) & 07);
    bits &= (uint32_t(group_class->perm) << 3) | ~uint32_t(S_IRWXG);
  }
  out.mode = (mode & ~uint32_t(kRwxAll)) | (bits & kRwxAll);
  if (!equivalent) out.access = std::move(acl);
  if (S_ISDIR(mode)) out.default_acl = parent_default;
  return out;
}

}  // namespace combfs::metad::acl
