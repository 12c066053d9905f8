// client/fuse/dir_offsets.h: kernel readdir offsets <-> metad cookies.
#include <gtest/gtest.h>

#include "client/fuse/dir_offsets.h"

namespace combfs::fuse {
namespace {

TEST(DirOffsets, DotEntriesComeFirst) {
  EXPECT_TRUE(wants_dot(0));
  EXPECT_TRUE(wants_dotdot(0));
  EXPECT_FALSE(wants_dot(kDotOffset));
  EXPECT_TRUE(wants_dotdot(kDotOffset));
  EXPECT_FALSE(wants_dot(kDotDotOffset));
  EXPECT_FALSE(wants_dotdot(kDotDotOffset));
  EXPECT_FALSE(wants_dotdot(offset_of_cookie(1)));
}

TEST(DirOffsets, StartAndAfterDotsReadFromTheFirstEntry) {
  EXPECT_EQ(cookie_of_offset(0), 0u);
  EXPECT_EQ(cookie_of_offset(kDotOffset), 0u);
  EXPECT_EQ(cookie_of_offset(kDotDotOffset), 0u);
}

TEST(DirOffsets, EntryOffsetsResumeAfterThatEntry) {
  // Cookies are dentry sequence numbers >= 1; an entry's offset must bring the
  // next call back to the cookie of that same entry.
  for (uint64_t cookie : {1ull, 2ull, 3ull, 1000ull, (1ull << 40)}) {
    uint64_t off = offset_of_cookie(cookie);
    EXPECT_GT(off, kDotDotOffset);
    EXPECT_EQ(cookie_of_offset(off), cookie);
  }
  // Offsets are strictly increasing with cookies, so they never collide with "." / "..".
  EXPECT_LT(offset_of_cookie(1), offset_of_cookie(2));
  EXPECT_EQ(offset_of_cookie(1), 3u);
}

}  // namespace
}  // namespace combfs::fuse
