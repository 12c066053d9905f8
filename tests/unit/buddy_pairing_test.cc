// Automatic pairing of targets into mirror groups (buddy/pairing.h).
#include "buddy/pairing.h"

#include <gtest/gtest.h>

#include <map>

namespace combfs::buddy {
namespace {

constexpr uint64_t kTiB = 1ull << 40;

TEST(BuddyPairingTest, TwoNodesOfTwoTargetsGiveTwoCrossNodeGroupsWithOnePrimaryEach) {
  auto p = pair_targets({{1, 10, kTiB}, {2, 10, kTiB}, {3, 20, kTiB}, {4, 20, kTiB}});
  ASSERT_EQ(p.pairs.size(), 2u);
  EXPECT_TRUE(p.unpaired.empty());
  std::map<uint32_t, uint32_t> node_of{{1, 10}, {2, 10}, {3, 20}, {4, 20}};
  std::map<uint32_t, int> primaries;
  for (const auto& pair : p.pairs) {
    EXPECT_NE(node_of[pair.primary], node_of[pair.secondary]) << pair.primary << "+" << pair.secondary;
    ++primaries[node_of[pair.primary]];
  }
  EXPECT_EQ(primaries[10], 1);
  EXPECT_EQ(primaries[20], 1);
}

TEST(BuddyPairingTest, TargetsOfOneNodeOrOfDifferentSizesStayUnpaired) {
  auto same_node = pair_targets({{1, 10, kTiB}, {2, 10, kTiB}});
  EXPECT_TRUE(same_node.pairs.empty());
  EXPECT_EQ(same_node.unpaired, (std::vector<uint32_t>{1, 2}));

  auto sizes = pair_targets({{1, 10, kTiB}, {2, 20, kTiB / 2}, {3, 30, kTiB * 95 / 100}});
  ASSERT_EQ(sizes.pairs.size(), 1u);
  EXPECT_EQ(sizes.pairs[0], (Pair{1, 3})) << "the 1 TiB target pairs with the 0.95 TiB one";
  EXPECT_EQ(sizes.unpaired, (std::vector<uint32_t>{2}));
}

TEST(BuddyPairingTest, NoNodeIsStranded) {
  // Target 1 comes first; pairing it with target 2 (the first that fits)
  // would leave targets 3 and 4, both on node 10, without a buddy. Taking the
  // buddy from the node with most candidates left pairs everything.
  auto p = pair_targets({{1, 20, kTiB}, {2, 30, kTiB}, {3, 10, kTiB}, {4, 10, kTiB}});
  EXPECT_EQ(p.pairs.size(), 2u);
  EXPECT_TRUE(p.unpaired.empty()) << p.unpaired.size() << " unpaired";
}

TEST(BuddyPairingTest, TheSameCandidatesAlwaysGiveTheSamePairs) {
  std::vector<Candidate> c{{4, 20, kTiB}, {1, 10, kTiB}, {3, 20, kTiB}, {2, 10, kTiB}};
  auto first = pair_targets(c);
  std::reverse(c.begin(), c.end());
  EXPECT_EQ(pair_targets(c).pairs, first.pairs);
}

}  // namespace
}  // namespace combfs::buddy
