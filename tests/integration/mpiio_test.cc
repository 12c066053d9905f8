// MPI-IO on combfs with OpenMPI: `mpirun --allow-run-as-root --oversubscribe
// -np 4 combfs-mpiio-check SCENARIO DIR` (tests/integration/mpiio_check.c),
// once with each of OpenMPI's MPI-IO implementations (OMPIO, the default, and
// ROMIO), and with MPICH (its ROMIO) where it is installed beside OpenMPI, in a
// directory striped over 4 targets with 64 KiB chunks so that every access
// crosses chunk and target boundaries. ROMIO's atomic mode, shared file pointer
// and data-sieving writes use fcntl locks; OMPIO's lockedfile shared file
// pointer too.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

class MpiIoTest : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 2}));
    dir_ = cluster_.mountpoint() + "/mpi";
    ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0);
    auto r = cluster_.run_fsctl({"setpattern", "--chunksize", "64K", "--numtargets", "4", dir_});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  // Runs one scenario on 4 ranks of OpenMPI with the given io component in its own directory.
  void run(const std::string& io, const std::vector<std::string>& extra_mca = {}) {
    std::vector<std::string> launcher = {MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-np", "4",
                                         "--mca", "io", io};
    for (size_t i = 0; i + 1 < extra_mca.size(); i += 2) launcher.insert(launcher.end(), {"--mca", extra_mca[i], extra_mca[i + 1]});
    run_ranks(io + (extra_mca.empty() ? "" : "-" + extra_mca.back()), launcher, "combfs-mpiio-check");
  }

  // Runs the scenario with `launcher` starting `program` in the directory `label`.
  void run_ranks(const std::string& label, std::vector<std::string> launcher, const std::string& program) {
    std::string sub = dir_ + "/" + label;
    ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
    launcher.insert(launcher.end(), {TestCluster::bin(program), GetParam(), sub});
    auto r = run_command(launcher, std::chrono::seconds(75));
    EXPECT_EQ(r.exit_code, 0) << GetParam() << " with " << label << ": " << r.describe();
    EXPECT_NE(r.out.find("ok on 4 ranks"), std::string::npos) << r.out;
  }

  TestCluster cluster_;
  std::string dir_;
};

TEST_P(MpiIoTest, Ompio) { run("ompio"); }
TEST_P(MpiIoTest, Romio) { run("romio321"); }
#ifdef MPICH_EXEC
// MPICH's hydra launcher runs as root and oversubscribes without flags.
TEST_P(MpiIoTest, MpichRomio) { run_ranks("mpich", {MPICH_EXEC, "-n", "4"}, "combfs-mpiio-check-mpich"); }
#endif

INSTANTIATE_TEST_SUITE_P(Scenarios, MpiIoTest, testing::Values("checkpoint", "atomic", "shared", "views"),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

// OMPIO's shared file pointer through a lock-protected file instead of shared memory.
class MpiIoLockedFileTest : public MpiIoTest {};
TEST_P(MpiIoLockedFileTest, OmpioLockedfile) { run("ompio", {"sharedfp", "lockedfile"}); }
INSTANTIATE_TEST_SUITE_P(Shared, MpiIoLockedFileTest, testing::Values("shared"),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace combfs::test
