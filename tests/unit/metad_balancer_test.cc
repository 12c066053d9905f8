// plan_balance: when a metad moves which directory where (docs/metadata.md "Balancer").
#include <gtest/gtest.h>

#include "metad/balancer.h"

namespace combfs::metad {
namespace {

ClusterMap map_with(std::vector<std::tuple<uint32_t, uint64_t, proto::Reachability>> metads) {
  ClusterMap m;
  for (auto [id, entries, reach] : metads) {
    proto::NodeInfo n;
    n.set_id(id);
    n.set_type(proto::NODE_META);
    n.set_entries(entries);
    n.set_reach(reach);
    m.nodes[id] = n;
  }
  proto::NodeInfo storage;  // not a metad: never a target
  storage.set_id(9);
  storage.set_type(proto::NODE_STORAGE);
  m.nodes[9] = storage;
  return m;
}

EntryId dir(uint64_t lo) { return EntryId{1, lo}; }

TEST(PlanBalanceTest, OffOrBalancedMovesNothing) {
  auto m = map_with({{1, 1000, proto::REACH_ONLINE}, {2, 0, proto::REACH_ONLINE}});
  std::vector<BalanceCandidate> c{{dir(5), 300}};
  EXPECT_TRUE(plan_balance(1, 1000, m, c, {.threshold = 0}).empty());
  EXPECT_TRUE(plan_balance(1, 50, m, c, {.threshold = 0.5, .min_entries = 100}).empty());
  auto even = map_with({{1, 1000, proto::REACH_ONLINE}, {2, 800, proto::REACH_ONLINE}});
  EXPECT_TRUE(plan_balance(1, 1000, even, c, {.threshold = 0.5}).empty());
}

TEST(PlanBalanceTest, MovesTheLargestDirectoryThatFitsToTheLightestOnlineMetad) {
  auto m = map_with({{1, 1000, proto::REACH_ONLINE}, {2, 100, proto::REACH_ONLINE}, {3, 0, proto::REACH_OFFLINE}});
  // Half the difference is 450: 600 is too big (it would swing the skew the other way).
  std::vector<BalanceCandidate> c{{dir(5), 600}, {dir(6), 200}, {dir(7), 400}, {EntryId::root(), 100}};
  auto moves = plan_balance(1, 1000, m, c, {.threshold = 0.5});
  ASSERT_EQ(moves.size(), 2u);
  EXPECT_EQ(moves[0].dir, dir(7));
  EXPECT_EQ(moves[1].dir, dir(6));
  EXPECT_EQ(moves[0].to, 2u);  // metad 3 has fewer entries but is offline
  EXPECT_NE(moves[0].reason.find("balancer: 1000 entries on metad 1, 100 on metad 2"), std::string::npos)
      << moves[0].reason;
}

}  // namespace
}  // namespace combfs::metad
