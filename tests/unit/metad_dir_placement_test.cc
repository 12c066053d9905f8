// Directory placement (metad/cross/dir_placement.h): which metad a new
// directory goes to under each policy.
#include <gtest/gtest.h>

#include <map>

#include "metad/cross/dir_placement.h"

namespace combfs::metad {
namespace {

proto::NodeInfo meta(uint32_t id, uint64_t entries, proto::Reachability reach = proto::REACH_ONLINE) {
  proto::NodeInfo n;
  n.set_id(id);
  n.set_type(proto::NODE_META);
  n.set_entries(entries);
  n.set_reach(reach);
  return n;
}

ClusterMap map_of(std::initializer_list<proto::NodeInfo> nodes) {
  ClusterMap m;
  for (const auto& n : nodes) m.nodes[n.id()] = n;
  proto::NodeInfo storage;
  storage.set_id(99);
  storage.set_type(proto::NODE_STORAGE);
  m.nodes[99] = storage;
  return m;
}

TEST(DirPlacementTest, ParsesPolicies) {
  EXPECT_EQ(parse_dir_policy("balanced"), DirPolicy::balanced);
  EXPECT_EQ(parse_dir_policy("parent"), DirPolicy::parent);
  EXPECT_EQ(parse_dir_policy("random"), DirPolicy::random);
  EXPECT_FALSE(parse_dir_policy("least-loaded"));
  EXPECT_STREQ(dir_policy_name(DirPolicy::balanced), "balanced");
}

TEST(DirPlacementTest, ParentKeepsEverythingHere) {
  DirPlacement p(DirPolicy::parent, 1, 7);
  auto m = map_of({meta(1, 1000), meta(2, 0), meta(3, 0)});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(p.choose(m), 1u);
}

TEST(DirPlacementTest, BalancedPrefersTheEmptiestAndSpreadsItsOwnPlacements) {
  DirPlacement p(DirPolicy::balanced, 1, 7);
  auto m = map_of({meta(1, 100), meta(2, 40), meta(3, 10)});
  std::map<uint32_t, int> got;
  // Node 3 first until it catches up with node 2, then both, then all three.
  for (int i = 0; i < 30; ++i) EXPECT_EQ(p.choose(m), 3u) << i;
  for (int i = 0; i < 120; ++i) got[p.choose(m)]++;
  EXPECT_EQ(got[1], 0);
  EXPECT_EQ(got[2], 60);
  EXPECT_EQ(got[3], 60);
  got.clear();
  for (int i = 0; i < 300; ++i) got[p.choose(m)]++;
  EXPECT_EQ(got[1], 100);
  EXPECT_EQ(got[2], 100);
  EXPECT_EQ(got[3], 100);
}

TEST(DirPlacementTest, BalancedStartsCountingAgainWhenANodeReports) {
  DirPlacement p(DirPolicy::balanced, 1, 7);
  auto m = map_of({meta(1, 50), meta(2, 50)});
  std::map<uint32_t, int> got;
  for (int i = 0; i < 10; ++i) got[p.choose(m)]++;
  EXPECT_EQ(got[1], 5);
  EXPECT_EQ(got[2], 5);
  // Node 2 reports its count, which includes what we placed there (and more).
  m.nodes[2] = meta(2, 58);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p.choose(m), 1u) << "node 1 has 50 + " << 5 + i << " placed, node 2 58 + 0";
}

TEST(DirPlacementTest, OnlyOnlineMetadsAndAlwaysThisOne) {
  DirPlacement p(DirPolicy::balanced, 1, 7);
  auto m = map_of({meta(2, 0, proto::REACH_OFFLINE), meta(3, 0, proto::REACH_PROBABLY_OFFLINE)});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p.choose(m), 1u) << "this metad is not in the map but always a candidate";
  DirPlacement r(DirPolicy::random, 1, 7);
  auto m2 = map_of({meta(1, 0), meta(2, 0), meta(3, 0, proto::REACH_OFFLINE)});
  std::map<uint32_t, int> got;
  for (int i = 0; i < 2000; ++i) got[r.choose(m2)]++;
  EXPECT_EQ(got.count(3), 0u);
  EXPECT_GT(got[1], 850);
  EXPECT_GT(got[2], 850);
}

}  // namespace
}  // namespace combfs::metad
