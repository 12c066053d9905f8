// Power cuts for fault tests, on a cluster started with
// ClusterOptions::power_loss_model: every daemon then stores through the
// model disk of common/env/power_loss.h, which can forget what was not synced.
//
//   ASSERT_TRUE(power_loss(cluster));   // kill everything, drop unsynced bytes
//   ASSERT_TRUE(cluster.restart_all());
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/harness/test_cluster.h"

namespace combfs::test {

// The whole cluster loses power: every process is killed (kill -9), then each
// daemon's disk loses what that daemon had not synced.
testing::AssertionResult power_loss(TestCluster& cluster);

// One node loses power: `daemon` is killed and its disk loses what it had not
// synced; the rest of the cluster keeps running.
testing::AssertionResult power_loss(TestCluster& cluster, const std::string& daemon);

}  // namespace combfs::test
