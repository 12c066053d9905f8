// For integration tests that link combfs_metad: stops every metad of a
// TestCluster and checks their databases together (metad/cross/fsck.h).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metad/cross/fsck.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {

// The node id a metad registered as, from its log (0: not found).
inline uint32_t metad_node_id(const TestCluster& cluster, const std::string& name) {
  const std::string text = cluster.log_text(name);
  const std::string marker = " as node ";
  auto at = text.find(marker);
  return at == std::string::npos ? 0 : static_cast<uint32_t>(std::stoul(text.substr(at + marker.size())));
}

// Stops metads 0 .. metads-1 and adds a failure per problem check_namespace finds.
inline void expect_consistent_metads(TestCluster& cluster, int metads) {
  std::vector<metad::MetaStore::Snapshot> snaps;
  const uint32_t root_owner = metad_node_id(cluster, TestCluster::metad_name(0));
  for (int m = 0; m < metads; ++m) {
    const std::string name = TestCluster::metad_name(m);
    ASSERT_TRUE(cluster.stop_daemon(name));
    auto store = metad::MetaStore::open(
        {.path = cluster.dir() + "/" + name + "/meta.db", .node_id = metad_node_id(cluster, name), .clock = {}});
    ASSERT_TRUE(store) << store.error().to_string();
    auto snap = (*store)->snapshot();
    ASSERT_TRUE(snap) << snap.error().to_string();
    snaps.push_back(std::move(*snap));
  }
  for (const auto& problem : metad::check_namespace(snaps, root_owner)) ADD_FAILURE() << problem;
}

}  // namespace combfs::test
