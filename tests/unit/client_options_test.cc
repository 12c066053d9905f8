// client/fuse/options: the command line of combfs-client and mount.combfs.
#include <gtest/gtest.h>

#include <vector>

#include "client/fuse/options.h"

namespace combfs::fuse {
namespace {

Result<MountOptions> parse(std::vector<const char*> args) {
  return parse_mount_args(static_cast<int>(args.size()), args.data());
}

TEST(MountOptions, Defaults) {
  auto o = parse({"/usr/bin/combfs-client", "mgmt:9000", "/mnt/x"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->program, "combfs-client");
  EXPECT_EQ(o->mgmtd, "mgmt:9000");
  EXPECT_EQ(o->mountpoint, "/mnt/x");
  EXPECT_EQ(o->secret_file, "/etc/combfs/secret");
  EXPECT_DOUBLE_EQ(o->attr_timeout, 1.0);
  EXPECT_DOUBLE_EQ(o->entry_timeout, 1.0);
  EXPECT_FALSE(o->foreground);
  EXPECT_EQ(o->parallel_writes, ParallelWrites::kWriteOnly);
  EXPECT_TRUE(o->fuse_options.empty());
}

TEST(MountOptions, WriteBehindIsOnUnlessTurnedOff) {
  auto o = parse({"combfs-client", "h", "/m"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_TRUE(o->write_behind);
  o = parse({"combfs-client", "h", "/m", "-o", "no_write_behind"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_FALSE(o->write_behind);
  EXPECT_FALSE(parse({"combfs-client", "h", "/m", "-o", "no_write_behind=1"}));
}

TEST(MountOptions, ParallelWritesPolicy) {
  auto o = parse({"combfs-client", "h", "/m", "-o", "no_parallel_writes,ro"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->parallel_writes, ParallelWrites::kOff);
  EXPECT_EQ(o->fuse_options, (std::vector<std::string>{"ro"}));
  o = parse({"combfs-client", "h", "/m", "-o", "parallel_writes=shared"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->parallel_writes, ParallelWrites::kShared);
  o = parse({"combfs-client", "h", "/m", "-o", "parallel_writes=off"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->parallel_writes, ParallelWrites::kOff);
  auto bad = parse({"combfs-client", "h", "/m", "-o", "no_parallel_writes=1"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("takes no value"), std::string::npos) << bad.error().message();
  bad = parse({"combfs-client", "h", "/m", "-o", "parallel_writes=always"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("off, wronly or shared"), std::string::npos) << bad.error().message();
}

TEST(MountOptions, EveryUserMayUseARootMountUnlessOwnerOnly) {
  auto o = parse({"combfs-client", "h", "/m"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_TRUE(allows_other_users(*o, 0)) << "root mounts for every user";
  EXPECT_FALSE(allows_other_users(*o, 1000)) << "a user's own mount needs user_allow_other to share";
  auto owner = parse({"combfs-client", "h", "/m", "-o", "owner_only"});
  ASSERT_TRUE(owner) << owner.error().to_string();
  EXPECT_FALSE(allows_other_users(*owner, 0));
  auto shared = parse({"combfs-client", "h", "/m", "-o", "allow_other"});
  ASSERT_TRUE(shared) << shared.error().to_string();
  EXPECT_TRUE(allows_other_users(*shared, 1000));
  EXPECT_TRUE(shared->fuse_options.empty()) << "added once, by the client";
  EXPECT_FALSE(parse({"combfs-client", "h", "/m", "-o", "owner_only=1"})) << "takes no value";
}

TEST(MountOptions, OwnOptionsAreTakenAndTheRestGoesToFuse) {
  auto o = parse({"combfs-client", "h", "/m", "-o", "secret=/s,attr_timeout=0.5,allow_other,entry_timeout=2,ro", "-f",
                  "--log-level", "debug", "--log-file=/tmp/l"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->secret_file, "/s");
  EXPECT_DOUBLE_EQ(o->attr_timeout, 0.5);
  EXPECT_DOUBLE_EQ(o->entry_timeout, 2.0);
  EXPECT_EQ(o->fuse_options, (std::vector<std::string>{"ro"}));
  EXPECT_EQ(o->other_users, OtherUsers::kAllowed);
  EXPECT_TRUE(o->foreground);
  EXPECT_EQ(o->log_level, "debug");
  EXPECT_EQ(o->log_file, "/tmp/l");
}

TEST(MountOptions, AsMountCallsIt) {
  // mount(8): "mount.combfs SPEC DIR [-sfnv] [-o options]", options from fstab.
  auto o = parse({"/sbin/mount.combfs", "mgmt", "/mnt/c", "-n", "-o",
                  "rw,defaults,_netdev,noauto,x-systemd.automount,secret=/etc/c/s,comment=x"});
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->program, "mount.combfs");
  EXPECT_EQ(o->secret_file, "/etc/c/s");
  EXPECT_EQ(o->fuse_options, (std::vector<std::string>{"rw"}));
  EXPECT_FALSE(o->foreground);
}

TEST(MountOptions, DebugImpliesForeground) {
  auto o = parse({"combfs-client", "h", "/m", "-d"});
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->debug);
  EXPECT_TRUE(o->foreground);
}

TEST(MountOptions, ErrorsNameTheProblem) {
  auto missing = parse({"combfs-client", "h"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("MOUNTPOINT"), std::string::npos);
  auto bad_timeout = parse({"combfs-client", "h", "/m", "-o", "attr_timeout=soon"});
  ASSERT_FALSE(bad_timeout);
  EXPECT_NE(bad_timeout.error().message().find("attr_timeout"), std::string::npos);
  auto no_value = parse({"combfs-client", "h", "/m", "-o", "secret"});
  ASSERT_FALSE(no_value);
  EXPECT_NE(no_value.error().message().find("secret"), std::string::npos);
  EXPECT_FALSE(parse({"combfs-client", "h", "/m", "-x"}));
  EXPECT_FALSE(parse({"combfs-client", "h", "/m", "--bogus"}));
  EXPECT_FALSE(parse({"combfs-client", "h", "/m", "-o"}));
}

TEST(MountOptions, HelpNeedsNoArguments) {
  auto o = parse({"combfs-client", "--help"});
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->help);
  EXPECT_NE(mount_usage("mount.combfs").find("mount.combfs MGMTD_HOST"), std::string::npos);
}

}  // namespace
}  // namespace combfs::fuse
