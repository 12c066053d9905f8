#include "tests/harness/power_loss.h"

#include "common/env/power_loss.h"

namespace combfs::test {
namespace {

testing::AssertionResult drop_unsynced(const TestCluster& cluster, const std::string& daemon) {
  std::string dir = cluster.powerloss_dir(daemon);
  if (dir.empty())
    return testing::AssertionFailure() << daemon << " does not run on the power-loss model: start the cluster "
                                       << "with ClusterOptions::power_loss_model";
  auto report = env::simulate_power_loss(dir);
  if (!report) return testing::AssertionFailure() << "power loss of " << daemon << ": " << report.error().message();
  return testing::AssertionSuccess();
}

}  // namespace

testing::AssertionResult power_loss(TestCluster& cluster) {
  cluster.kill_all();
  for (const auto& daemon : cluster.daemon_names())
    if (auto r = drop_unsynced(cluster, daemon); !r) return r;
  return testing::AssertionSuccess();
}

testing::AssertionResult power_loss(TestCluster& cluster, const std::string& daemon) {
  cluster.kill_daemon(daemon);
  return drop_unsynced(cluster, daemon);
}

}  // namespace combfs::test
