// Mounting the way mount(8) does it for an /etc/fstab line
//   127.0.0.1:8008 /mnt/combfs combfs secret=/etc/combfs/secret,_netdev 0 0
// i.e. `mount.combfs SPEC DIR -o OPTIONS`, and unmounting again.
#include <fstream>
#include <sstream>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

// File system type of the mount at `path` in /proc/self/mountinfo, "" if none.
std::string mount_type(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::vector<std::string> w;
    for (std::string s; f >> s;) w.push_back(s);
    if (w.size() < 7 || w[4] != path) continue;
    for (size_t i = 6; i + 1 < w.size(); ++i)
      if (w[i] == "-") return w[i + 1];
  }
  return "";
}

TEST(MountTest, MountHelperTakesFstabOptions) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 2}));
  std::string mnt = cluster.make_dir("fstab-mnt");
  auto r = run_command({TestCluster::bin("mount.combfs"), cluster.mgmtd_address(), mnt, "-o",
                        "rw,secret=" + cluster.secret_file() + ",_netdev,nofail,attr_timeout=0"},
                       std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(TestCluster::is_mountpoint(mnt)) << "mount.combfs exited 0 but nothing is mounted";
  EXPECT_EQ(mount_type(mnt), "fuse.combfs");

  // Both mounts show the same file system.
  std::string text = "written through the fstab mount";
  std::string err;
  ASSERT_TRUE(write_file(mnt + "/f", std::span(text.data(), text.size()), &err)) << err;
  auto back = read_file(cluster.mountpoint() + "/f", &err);
  EXPECT_EQ(std::string(back.begin(), back.end()), text) << err;

  ASSERT_TRUE(cluster.unmount(mnt));
  EXPECT_FALSE(TestCluster::is_mountpoint(mnt));
}

TEST(MountTest, BadOptionIsReported) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .mount = false}));
  std::string mnt = cluster.make_dir("bad-mnt");
  auto r = run_command({TestCluster::bin("mount.combfs"), cluster.mgmtd_address(), mnt, "-o",
                        "secret=" + cluster.secret_file() + ",attr_timeout=soon"},
                       std::chrono::seconds(60));
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("attr_timeout"), std::string::npos) << "stderr should name the bad option: " << r.describe();
  EXPECT_FALSE(TestCluster::is_mountpoint(mnt));
}

TEST(MountTest, UnreachableMgmtdIsReported) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .mount = false}));
  ASSERT_TRUE(cluster.stop_daemon("mgmtd"));
  std::string mnt = cluster.make_dir("unreachable-mnt");
  auto r = run_command({TestCluster::bin("combfs-client"), cluster.mgmtd_address(), mnt, "-o",
                        "secret=" + cluster.secret_file()},
                       std::chrono::seconds(90));
  EXPECT_FALSE(r.timed_out) << "the client should give up on an unreachable mgmtd: " << r.describe();
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find(cluster.mgmtd_address()), std::string::npos)
      << "stderr should name the mgmtd address: " << r.describe();
  EXPECT_FALSE(TestCluster::is_mountpoint(mnt));
}

}  // namespace
}  // namespace combfs::test
