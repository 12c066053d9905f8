// Placement: eligibility (online, good, pool), distinctness, and the
// free-space-weighted distribution, with a seeded generator.
#include "metad/placement.h"

#include <gtest/gtest.h>

#include <set>

namespace combfs::metad {
namespace {

proto::TargetInfo target(uint32_t id, uint64_t free_bytes, proto::Reachability reach = proto::REACH_ONLINE,
                         proto::Consistency cons = proto::CONS_GOOD, uint32_t pool = 0) {
  proto::TargetInfo t;
  t.set_id(id);
  t.set_node_id(100 + id);
  t.set_free_bytes(free_bytes);
  t.set_total_bytes(free_bytes * 2 + 1);
  t.set_reach(reach);
  t.set_consistency(cons);
  t.set_pool_id(pool);
  return t;
}

std::map<uint32_t, proto::TargetInfo> map_of(std::initializer_list<proto::TargetInfo> list) {
  std::map<uint32_t, proto::TargetInfo> m;
  for (auto& t : list) m[t.id()] = t;
  return m;
}

proto::StripePattern pattern(uint32_t n, uint32_t pool = 0) {
  proto::StripePattern p;
  p.set_chunk_size(1 << 20);
  p.set_num_targets(n);
  p.set_pool_id(pool);
  return p;
}

constexpr uint64_t kTB = 1ull << 40;

TEST(PlacementTest, NoEligibleTargetIsAClearError) {
  std::mt19937_64 rng(1);
  auto none = choose_targets({}, pattern(4), rng);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), proto::MGMT_NO_TARGETS);
  EXPECT_NE(none.error().message().find("no online storage target in pool 0"), std::string::npos);

  auto offline = map_of({target(1, kTB, proto::REACH_OFFLINE), target(2, kTB, proto::REACH_PROBABLY_OFFLINE),
                         target(3, kTB, proto::REACH_ONLINE, proto::CONS_NEEDS_RESYNC),
                         target(4, kTB, proto::REACH_ONLINE, proto::CONS_BAD)});
  auto r = choose_targets(offline, pattern(1), rng);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::MGMT_NO_TARGETS);
  EXPECT_NE(r.error().message().find("4 known in the pool"), std::string::npos);
}

TEST(PlacementTest, OnlyOnlineGoodTargetsOfThePoolAreUsed) {
  auto targets = map_of({target(1, kTB), target(2, kTB, proto::REACH_OFFLINE),
                         target(3, kTB, proto::REACH_ONLINE, proto::CONS_NEEDS_RESYNC), target(4, kTB),
                         target(5, kTB, proto::REACH_ONLINE, proto::CONS_GOOD, 2)});
  std::mt19937_64 rng(2);
  for (int i = 0; i < 500; ++i) {
    auto r = choose_targets(targets, pattern(4), rng);
    ASSERT_TRUE(r);
    std::set<uint32_t> got(r->begin(), r->end());
    EXPECT_EQ(got, (std::set<uint32_t>{1, 4}));
  }
  auto pool2 = choose_targets(targets, pattern(4, 2), rng);
  ASSERT_TRUE(pool2);
  EXPECT_EQ(*pool2, std::vector<uint32_t>{5});
  EXPECT_EQ(choose_targets(targets, pattern(1, 7), rng).error().code(), proto::MGMT_NO_TARGETS);
}

TEST(PlacementTest, ChoosesDistinctTargetsUpToThePattern) {
  auto targets = map_of({target(1, kTB), target(2, 2 * kTB), target(3, kTB), target(4, 3 * kTB), target(5, kTB)});
  std::mt19937_64 rng(3);
  for (uint32_t n : {1u, 2u, 3u, 5u, 8u, 0u}) {
    for (int i = 0; i < 200; ++i) {
      auto r = choose_targets(targets, pattern(n), rng);
      ASSERT_TRUE(r);
      size_t want = n == 0 ? 1 : std::min<size_t>(n, 5);  // 0 asks for at least one
      EXPECT_EQ(r->size(), want);
      EXPECT_EQ(std::set<uint32_t>(r->begin(), r->end()).size(), r->size()) << "duplicate target";
    }
  }
}

TEST(PlacementTest, EqualFreeSpaceSpreadsEvenlyAndRotatesTheFirstTarget) {
  auto targets = map_of({target(1, kTB), target(2, kTB), target(3, kTB), target(4, kTB)});
  std::mt19937_64 rng(4);
  std::map<uint32_t, int> first;
  const int kRuns = 40000;
  for (int i = 0; i < kRuns; ++i) first[(*choose_targets(targets, pattern(4), rng))[0]]++;
  ASSERT_EQ(first.size(), 4u);
  for (auto& [id, n] : first) EXPECT_NEAR(double(n) / kRuns, 0.25, 0.015) << "target " << id;
}

TEST(PlacementTest, PicksAreWeightedByFreeSpace) {
  auto targets = map_of({target(1, 3 * kTB), target(2, kTB)});
  std::mt19937_64 rng(5);
  int ones = 0;
  const int kRuns = 40000;
  for (int i = 0; i < kRuns; ++i) ones += (*choose_targets(targets, pattern(1), rng))[0] == 1;
  EXPECT_NEAR(double(ones) / kRuns, 0.75, 0.015);
}

TEST(PlacementTest, FullTargetsAreOnlyALastResort) {
  auto targets = map_of({target(1, 0), target(2, kTB), target(3, kTB)});
  std::mt19937_64 rng(6);
  for (int i = 0; i < 10000; ++i) {
    auto r = *choose_targets(targets, pattern(2), rng);
    EXPECT_EQ(std::count(r.begin(), r.end(), 1u), 0);
  }
  // Asked for all three: the full one fills the last slot.
  for (int i = 0; i < 100; ++i) EXPECT_EQ((*choose_targets(targets, pattern(3), rng))[2], 1u);
  // A cluster that reports no free space yet still works, uniformly.
  auto unknown = map_of({target(1, 0), target(2, 0)});
  int ones = 0;
  for (int i = 0; i < 10000; ++i) ones += (*choose_targets(unknown, pattern(1), rng))[0] == 1;
  EXPECT_NEAR(ones / 10000.0, 0.5, 0.03);
}

TEST(PlacementTest, SharedPlacementIsDeterministicForASeed) {
  auto targets = map_of({target(1, kTB), target(2, kTB), target(3, kTB)});
  Placement a(42), b(42);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(*a.choose(targets, {}, pattern(2)), *b.choose(targets, {}, pattern(2)));
}

proto::MirrorGroupInfo group(uint32_t id, uint32_t primary, uint32_t secondary) {
  proto::MirrorGroupInfo g;
  g.set_id(id);
  g.set_primary(primary);
  g.set_secondary(secondary);
  return g;
}

proto::StripePattern mirrored(uint32_t n, uint32_t pool = 0) {
  auto p = pattern(n, pool);
  p.set_type(proto::PATTERN_BUDDYMIRROR);
  return p;
}

TEST(PlacementTest, MirroredPatternsChooseGroupsWeightedByTheirFullerTarget) {
  // Group 1 can take 1 TB more (its secondary's free space), group 2 3 TB.
  auto targets = map_of({target(1, 5 * kTB), target(2, kTB), target(3, 3 * kTB), target(4, 4 * kTB)});
  std::map<uint32_t, proto::MirrorGroupInfo> groups{{1, group(1, 1, 2)}, {2, group(2, 3, 4)}};
  std::mt19937_64 rng(7);
  int ones = 0;
  const int kRuns = 40000;
  for (int i = 0; i < kRuns; ++i) {
    auto r = choose_groups(targets, groups, mirrored(1), rng);
    ASSERT_TRUE(r);
    ones += (*r)[0] == 1;
  }
  EXPECT_NEAR(double(ones) / kRuns, 0.25, 0.015);
  auto both = choose_groups(targets, groups, mirrored(4), rng);
  ASSERT_TRUE(both);
  EXPECT_EQ(std::set<uint32_t>(both->begin(), both->end()), (std::set<uint32_t>{1, 2}));
  Placement shared(1);
  auto via_shared = shared.choose(targets, groups, mirrored(2));
  ASSERT_TRUE(via_shared);
  EXPECT_EQ(std::set<uint32_t>(via_shared->begin(), via_shared->end()), (std::set<uint32_t>{1, 2}))
      << "a buddymirror pattern chooses group ids";
}

TEST(PlacementTest, GroupsWithATargetNotOnlineAndGoodOrInAnotherPoolAreSkipped) {
  auto targets = map_of({target(1, kTB), target(2, kTB, proto::REACH_OFFLINE), target(3, kTB), target(4, kTB),
                         target(5, kTB, proto::REACH_ONLINE, proto::CONS_GOOD, 2), target(6, kTB)});
  std::map<uint32_t, proto::MirrorGroupInfo> groups{{1, group(1, 1, 2)}, {2, group(2, 3, 4)}, {3, group(3, 5, 6)}};
  std::mt19937_64 rng(8);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(*choose_groups(targets, groups, mirrored(3), rng), std::vector<uint32_t>{2});
  EXPECT_EQ(groups_in_pool(targets, groups, 0), 2u) << "group 3 straddles pools";
  auto none = choose_groups(targets, groups, mirrored(1, 2), rng);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), proto::MGMT_NO_TARGETS);
}

TEST(PlacementTest, NoMirrorGroupsSaysHowToMakeThem) {
  std::mt19937_64 rng(9);
  auto r = choose_groups(map_of({target(1, kTB)}), {}, mirrored(1), rng);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::MGMT_NO_TARGETS);
  EXPECT_NE(r.error().message().find("fsctl addmirrorgroup --automatic"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace combfs::metad
