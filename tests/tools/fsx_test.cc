// Runs combfs-fsx (tests/tools/fsx.cc) on the combfs mount: 50,000 random
// operations (write, read, truncate, mmap read/write, fallocate, fsync,
// close/reopen) on one file, every byte checked against the tool's model.
// A short run on the local file system first proves the tool itself right.
#include <gtest/gtest.h>

#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

CommandResult fsx(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv = {TestCluster::bin("combfs-fsx"), "-q"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, timeout);
}

TEST(Fsx, FiftyThousandOperationsOnTheMount) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 2, .targets_per_daemon = 2}));

  auto local = fsx({"-N", "5000", "-S", "7", cluster.make_dir("local") + "/fsx.local"}, std::chrono::seconds(60));
  ASSERT_EQ(local.exit_code, 0) << "fsx on the local file system: " << local.describe();

  // Small chunks (64 KiB, the minimum) so that operations cross chunk and
  // target boundaries all the time; files up to 1 MiB span all 4 targets.
  ASSERT_EQ(mkdir((cluster.mountpoint() + "/fsx").c_str(), 0755), 0);
  auto pattern = cluster.run_fsctl({"setpattern", "--chunksize", "64K", "--numtargets", "4",
                                    cluster.mountpoint() + "/fsx"});
  ASSERT_EQ(pattern.exit_code, 0) << pattern.describe();

  auto r = fsx({"-N", "50000", "-S", "20261125", "-l", "1048576", "-o", "65536", cluster.mountpoint() + "/fsx/file"},
               std::chrono::seconds(170));
  EXPECT_EQ(r.exit_code, 0) << "fsx on combfs: " << r.describe();
  EXPECT_NE(r.out.find("50000 operations"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace combfs::test
