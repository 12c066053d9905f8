// Directory offsets as the kernel sees them. metad hands out a cookie per
// dentry (its sequence number, >= 1; cookie 0 = "from the start"); the kernel
// needs an offset per entry that resumes right after it:
//   1 = ".", 2 = "..", then each entry's offset is its cookie + 2.
#pragma once

#include <cstdint>

namespace combfs::fuse {

inline constexpr uint64_t kDotOffset = 1;
inline constexpr uint64_t kDotDotOffset = 2;

// Offset the kernel gets for the entry with `cookie`.
constexpr uint64_t offset_of_cookie(uint64_t cookie) { return cookie + kDotDotOffset; }
// Cookie to send to ReadDir to continue after the kernel's offset `off`.
constexpr uint64_t cookie_of_offset(uint64_t off) { return off <= kDotDotOffset ? 0 : off - kDotDotOffset; }
// Whether a readdir starting at `off` still has to emit "." / "..".
constexpr bool wants_dot(uint64_t off) { return off < kDotOffset; }
constexpr bool wants_dotdot(uint64_t off) { return off < kDotDotOffset; }

}  // namespace combfs::fuse
