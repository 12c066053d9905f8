// Mounting the way mount(8) does it for an /etc/fstab line
//   127.0.0.1:8008 /mnt/combfs combfs secret=/etc/combfs/secret,_netdev 0 0
// i.e. `mount.combfs SPEC DIR -o OPTIONS`, and unmounting again; who may use a mount.
#include <sys/stat.h>
#include <unistd.h>

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

// A cluster file system that root mounts on a compute node is for every user
// (as mfsmount does): `nobody` works in a directory it may write, and the
// kernel still refuses what the permissions refuse. -o owner_only keeps
// other users out.
TEST(MountTest, EveryUserMayUseARootMountUnlessOwnerOnly) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: the test mounts as root and acts as nobody";
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1}));
  ASSERT_EQ(chmod(cluster.dir().c_str(), 0755), 0);  // nobody must reach the mount points
  std::string shared = cluster.mountpoint() + "/shared";
  ASSERT_EQ(mkdir(shared.c_str(), 0777), 0);
  ASSERT_EQ(chmod(shared.c_str(), 0777), 0);
  auto as_nobody = [](const std::string& script) {
    return run_command({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script});
  };
  auto wrote = as_nobody("echo from-nobody > " + shared + "/f && cat " + shared + "/f");
  EXPECT_EQ(wrote.exit_code, 0) << wrote.describe();
  EXPECT_EQ(wrote.out, "from-nobody\n");
  auto refused = as_nobody("echo no > " + cluster.mountpoint() + "/in-root");
  EXPECT_NE(refused.exit_code, 0) << "the root directory (0755, root's) is not nobody's to write";
  EXPECT_NE(refused.err.find("Permission denied"), std::string::npos) << refused.describe();

  std::string private_mnt = cluster.make_dir("owner-only");
  ASSERT_TRUE(cluster.mount_client(private_mnt, "owner_only"));
  auto kept_out = as_nobody("ls " + private_mnt + "/shared");
  EXPECT_NE(kept_out.exit_code, 0) << kept_out.describe();
  EXPECT_NE(kept_out.err.find("Permission denied"), std::string::npos) << kept_out.describe();
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
