// fsctl addmirrorgroup / listmirrorgroups against a real mgmtd: targets of two
// nodes pair, bad pairs are refused with the reason, --automatic pairs the
// rest, and the groups survive an mgmtd restart (docs/mirroring.md).
#include <string>
#include <vector>

#include "tests/harness/fsctl_output.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

TEST(MirrorGroupsTest, PairAcrossNodesListAndKeepAcrossAnMgmtdRestart) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 2, .targets_per_daemon = 2, .mount = false}));
  auto listed = cluster.run_fsctl_admin({"listtargets"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  std::vector<std::string> on0, on1;  // target ids by storage daemon
  for (const auto& [id, path] : parse_target_paths(listed.out))
    (path.find("/stored0/") != std::string::npos ? on0 : on1).push_back(std::to_string(id));
  ASSERT_EQ(on0.size(), 2u);
  ASSERT_EQ(on1.size(), 2u);
  auto add = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "addmirrorgroup");
    return cluster.run_fsctl_admin(args);
  };

  auto same_node = add({"--primary", on0[0], "--secondary", on0[1]});
  EXPECT_EQ(same_node.exit_code, 1) << same_node.describe();
  EXPECT_NE(same_node.err.find("copies of a mirror group must be on two nodes"), std::string::npos) << same_node.err;
  auto none = add({});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("give --primary and --secondary"), std::string::npos) << none.err;

  auto first = add({"--primary", on0[0], "--secondary", on1[0]});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_NE(first.out.find("mirror group 1: primary target " + on0[0] + ", secondary target " + on1[0]),
            std::string::npos)
      << first.out;
  auto taken = add({"--primary", on1[1], "--secondary", on0[0]});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_NE(taken.err.find("target " + on0[0] + " is already in mirror group 1"), std::string::npos) << taken.err;

  auto automatic = add({"--automatic"});
  ASSERT_EQ(automatic.exit_code, 0) << automatic.describe();
  EXPECT_NE(automatic.out.find("mirror group 2: "), std::string::npos) << automatic.out;
  auto nothing_left = add({"--automatic"});
  EXPECT_EQ(nothing_left.exit_code, 1) << nothing_left.describe();
  EXPECT_NE(nothing_left.err.find("no mirror group added"), std::string::npos) << nothing_left.err;

  auto groups = cluster.run_fsctl_admin({"listmirrorgroups"});
  ASSERT_EQ(groups.exit_code, 0) << groups.describe();
  EXPECT_NE(groups.out.find("online/good"), std::string::npos) << groups.out;
  int rows = 0;
  for (size_t at = 0; (at = groups.out.find('\n', at)) != std::string::npos; ++at) ++rows;
  EXPECT_EQ(rows, 3) << "a header and two groups:\n" << groups.out;

  ASSERT_TRUE(cluster.stop_daemon("mgmtd"));
  ASSERT_TRUE(cluster.restart_daemon("mgmtd"));
  auto after = cluster.run_fsctl_admin({"listmirrorgroups"});
  ASSERT_EQ(after.exit_code, 0) << after.describe();
  EXPECT_EQ(after.out, groups.out) << "mirror groups after the mgmtd restart";
}

}  // namespace
}  // namespace combfs::test
