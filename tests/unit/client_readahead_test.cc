// client/fuse/readahead: finding the mount's device in /proc/self/mountinfo.
#include <gtest/gtest.h>

#include "client/fuse/readahead.h"

namespace combfs::fuse {
namespace {

const char* kMountinfo =
    "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
    "80 22 0:53 / /mnt/combfs rw,nosuid,nodev,relatime shared:40 - fuse.combfs combfs rw,user_id=0,group_id=0\n"
    "81 22 0:54 / /mnt/combfs2 rw,nosuid shared:41 - fuse.combfs combfs rw\n"
    "90 80 0:60 / /mnt/combfs rw - fuse.combfs combfs rw\n"
    "91 22 0:61 / /mnt/with\\040space rw - fuse.combfs combfs rw\n";

TEST(Readahead, FindsTheLastMountOnThePath) {
  auto dev = mount_device(kMountinfo, "/mnt/combfs2");
  ASSERT_TRUE(dev) << dev.error().to_string();
  EXPECT_EQ(*dev, "0:54");
  // Mounted over: the newest mount is the one the path reaches.
  EXPECT_EQ(mount_device(kMountinfo, "/mnt/combfs").value_or(""), "0:60");
  // Spaces are written as \040.
  EXPECT_EQ(mount_device(kMountinfo, "/mnt/with space").value_or(""), "0:61");
}

TEST(Readahead, MissingMountIsNotFound) {
  auto dev = mount_device(kMountinfo, "/mnt/other");
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code(), proto::NOT_FOUND);
  EXPECT_NE(dev.error().message().find("/mnt/other"), std::string::npos);
  EXPECT_FALSE(mount_device("", "/").has_value());
}

}  // namespace
}  // namespace combfs::fuse
