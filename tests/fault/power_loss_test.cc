// Power loss with every daemon on the model disk (common/env/power_loss.h):
// a workload of creates, writes + fsync, directory fsyncs, rename-over of
// fsynced temp files across metads, unlinks and hard links runs on the mount
// while one daemon dies at its N-th storage call (COMBFS_CRASH_AFTER); then
// the whole cluster loses power, restarts, and everything the workload was
// told is durable must be there (durability_log.h), with no entry id handed
// out twice and `fsctl fsck --metadata` clean. One test per daemon, several
// crash points each, on one cluster whose history grows round by round.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/fault/durability_log.h"
#include "tests/harness/power_loss.h"
#include "tests/harness/process.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The daemon's N-th mutating storage call after its restart kills it. Spread
// from its first steps (recovery, registration) to the middle of the workload;
// metads and stored daemons make many more calls than mgmtd, which writes only
// when a node registers.
std::vector<uint64_t> crash_points(const std::string& daemon) {
  if (daemon == "mgmtd") return {1, 3, 5, 1'000'000};
  if (daemon.starts_with("stored")) return {3, 20, 60, 150};
  return {5, 40, 120, 300};
}

class PowerLossTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2,
                                .targets_per_daemon = 1,
                                .meta_daemons = 2,
                                .power_loss_model = true}));
    log_ = cluster_.dir() + "/durability.log";
  }

  // kill -9, then a start with COMBFS_CRASH_AFTER=n, not waiting: with a small
  // n the daemon dies while it recovers. mgmtd stores only registrations, so a
  // storage daemon registers again with it.
  void restart_with_crash_point(const std::string& daemon, uint64_t n) {
    cluster_.kill_daemon(daemon);
    cluster_.set_env(daemon, "COMBFS_CRASH_AFTER", std::to_string(n));
    ASSERT_TRUE(cluster_.restart_daemon(daemon, /*wait=*/false));
    if (daemon == "mgmtd") {
      cluster_.kill_daemon("stored1");
      ASSERT_TRUE(cluster_.restart_daemon("stored1", /*wait=*/false));
    }
    cluster_.wait_ready(daemon);  // fails when it crashed first: fine
  }

  // Runs the workload in `dir` until it ends, or 3 s after `daemon` died, or
  // 60 s, then kills it. Returns its pid, still to be reaped: a process killed
  // inside a call on the mount exits only once the mount answers or dies.
  pid_t run_workload(const std::string& dir, uint64_t seed, const std::string& daemon) {
    std::string err;
    pid_t pid = spawn({TestCluster::bin("combfs-durability-workload"), "run", cluster_.mountpoint(), dir, log_, "6",
                       std::to_string(seed)},
                      cluster_.dir() + "/logs/workload.out", &err);
    EXPECT_GT(pid, 0) << err;
    if (pid <= 0) return pid;
    auto deadline = Clock::now() + 60s;
    bool died = false;
    while (still_running(pid) && Clock::now() < deadline) {
      if (!died && !cluster_.alive(daemon)) {
        died = true;
        deadline = std::min(deadline, Clock::now() + 3s);
      }
      std::this_thread::sleep_for(20ms);
    }
    kill(pid, SIGKILL);
    return pid;
  }

  // Everything in the log is on the restarted cluster; new files get new ids.
  void expect_durable(int round) {
    DurabilityModel model;
    Status parsed = model.apply_log(slurp(log_));
    ASSERT_TRUE(parsed.ok()) << parsed.message();
    auto problems = model.check([&](const std::string& path) { return observe_path(cluster_.mountpoint(), path); });
    std::string all;
    for (const auto& p : problems) all += "  " + p + "\n";
    EXPECT_TRUE(problems.empty()) << "round " << round << ": " << problems.size() << " of " << model.paths().size()
                                  << " logged paths break the durability contract:\n"
                                  << all;

    auto probe = run_command({TestCluster::bin("combfs-durability-workload"), "probe", cluster_.mountpoint(),
                              "probe" + std::to_string(round), "20"});
    ASSERT_EQ(probe.exit_code, 0) << probe.describe();
    std::istringstream ids(probe.out);
    for (std::string id; ids >> id;) {
      EXPECT_FALSE(model.entries().contains(id) || handed_out_.contains(id))
          << "round " << round << ": entry id " << id << " was handed out again after the power loss";
      handed_out_.insert(id);
    }

    auto fsck = cluster_.run_fsctl_admin({"fsck", "--metadata"});
    EXPECT_EQ(fsck.exit_code, 0) << "round " << round << ": fsck after the power loss: " << fsck.describe();
  }

  TestCluster cluster_;
  std::string log_;
  std::set<std::string> handed_out_;  // by probes after earlier rounds
};

TEST_P(PowerLossTest, CrashThenPowerLossKeepsWhatWasAcknowledged) {
  const std::string daemon = GetParam();
  auto points = crash_points(daemon);
  for (int round = 0; round < static_cast<int>(points.size()); ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ": " + daemon + " crashes at its storage call " +
                 std::to_string(points[round]));
    restart_with_crash_point(daemon, points[round]);
    pid_t workload = run_workload("r" + std::to_string(round), 100 + round, daemon);
    std::cout << "round " << round << ": " << daemon << (cluster_.alive(daemon) ? " did not crash" : " crashed")
              << " (crash point " << points[round] << ")" << std::endl;
    ASSERT_TRUE(power_loss(cluster_));
    if (workload > 0) waitpid(workload, nullptr, 0);
    cluster_.unset_env(daemon, "COMBFS_CRASH_AFTER");
    ASSERT_TRUE(cluster_.restart_all());
    expect_durable(round);
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(EachDaemon, PowerLossTest, testing::Values("mgmtd", "metad", "metad1", "stored0", "stored1"),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace combfs::test
