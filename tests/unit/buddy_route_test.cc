// Where requests for a layout entry go (buddy/route.h) and what a target does
// with a request for a mirror group (buddy/role.h): the primary applies and
// forwards, the secondary applies forwarded requests only, and a target the
// map calls primary refuses forwarded ones.
#include <gtest/gtest.h>

#include "buddy/role.h"
#include "buddy/route.h"

namespace combfs::buddy {
namespace {

ClusterMap two_nodes() {
  ClusterMap map;
  map.version = 7;
  for (uint32_t node : {1u, 2u}) {
    proto::NodeInfo n;
    n.set_id(node);
    n.set_host("10.0.0." + std::to_string(node));
    n.set_port(8003);
    map.nodes[node] = n;
  }
  for (uint32_t target : {1u, 2u, 3u, 4u}) {
    proto::TargetInfo t;
    t.set_id(target);
    t.set_node_id(target <= 2 ? 1 : 2);
    map.targets[target] = t;
  }
  proto::MirrorGroupInfo g;
  g.set_id(5);
  g.set_primary(3);
  g.set_secondary(1);
  map.mirror_groups[5] = g;
  return map;
}

TEST(BuddyRoute, Raid0EntriesAreTargetsAndMirroredOnesGoToTheGroupsPrimary) {
  auto map = two_nodes();
  auto plain = route_of(map, 2, false);
  ASSERT_TRUE(plain) << plain.error().to_string();
  EXPECT_EQ(plain->target, 2u);
  EXPECT_EQ(plain->group, 0u);
  EXPECT_EQ(plain->endpoint.host, "10.0.0.1");

  auto mirrored = route_of(map, 5, true);
  ASSERT_TRUE(mirrored) << mirrored.error().to_string();
  EXPECT_EQ(mirrored->target, 3u);
  EXPECT_EQ(mirrored->group, 5u);
  EXPECT_EQ(mirrored->secondary, 1u);
  EXPECT_EQ(mirrored->endpoint.host, "10.0.0.2") << "the primary's node";

  proto::WriteChunkRequest req;
  address(req, *mirrored);
  EXPECT_EQ(req.target_id(), 3u);
  EXPECT_EQ(req.mirror_group(), 5u);
}

TEST(BuddyRoute, UnknownGroupsAndTargetsAreErrors) {
  auto map = two_nodes();
  auto group = route_of(map, 6, true);
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().code(), proto::STORAGE_UNKNOWN_GROUP);
  EXPECT_NE(group.error().message().find("mirror group 6"), std::string::npos) << group.error().message();
  EXPECT_EQ(route_of(map, 9, false).error().code(), proto::STORAGE_UNKNOWN_TARGET);

  proto::Layout layout;
  layout.mutable_pattern()->set_type(proto::PATTERN_BUDDYMIRROR);
  layout.add_targets(5);
  auto routes = routes_of(map, layout);
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 1u);
  EXPECT_EQ((*routes)[0].target, 3u);
  layout.add_targets(6);
  EXPECT_FALSE(routes_of(map, layout));
}

TEST(BuddyRole, PrimaryForwardsSecondaryAppliesForwardedOnly) {
  auto groups = two_nodes().mirror_groups;
  auto primary = role_of(groups, 5, 3, false);
  ASSERT_TRUE(primary) << primary.error().to_string();
  EXPECT_TRUE(primary->primary);
  EXPECT_EQ(primary->secondary, 1u);

  auto secondary = role_of(groups, 5, 1, true);
  ASSERT_TRUE(secondary) << secondary.error().to_string();
  EXPECT_FALSE(secondary->primary);

  // A client that thinks the secondary is the primary has a stale map.
  auto to_secondary = role_of(groups, 5, 1, false);
  ASSERT_FALSE(to_secondary);
  EXPECT_EQ(to_secondary.error().code(), proto::STORAGE_NOT_PRIMARY);
  EXPECT_TRUE(to_secondary.error().retryable());
}

TEST(BuddyRole, TheTargetTheMapCallsPrimaryRefusesForwardedRequests) {
  auto groups = two_nodes().mirror_groups;
  auto refused = role_of(groups, 5, 3, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), proto::STORAGE_NOT_PRIMARY);
  EXPECT_NE(refused.error().message().find("its map says it is the group's primary"), std::string::npos)
      << refused.error().message();
  EXPECT_EQ(role_of(groups, 5, 4, true).error().code(), proto::STORAGE_NOT_PRIMARY) << "not in the group";
  EXPECT_EQ(role_of(groups, 8, 3, false).error().code(), proto::STORAGE_UNKNOWN_GROUP);
}

}  // namespace
}  // namespace combfs::buddy
