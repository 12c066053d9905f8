// Dead clients: a client's open files belong to its lease on the metads
// (metad/sessions.h, client/lib/lease.h). A client killed with SIGKILL
// while it has files open, one of them unlinked, stops renewing; once the
// lease (2 s here) has run out, metad counts its files as closed: the
// unlinked file's chunk files disappear from the targets and a file it had
// open for writing shows no open writers and the size its targets hold. A
// live client keeps its files open across many leases without touching them.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "tests/harness/data.h"
#include "tests/harness/eventually.h"
#include "tests/harness/fsctl_output.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr size_t kMiB = 1 << 20;
constexpr auto kLease = 2s;

class SessionsTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1,
                                .targets_per_daemon = 2,
                                .metad_args = {"--lock-lease", std::to_string(kLease.count())}}));
  }

  uint32_t open_writers(const std::string& path) { return cluster_.entry_info(path).open_writers.value_or(~0u); }

  // Chunk files of entry `id` on all targets.
  size_t chunk_files(const std::string& id) {
    size_t n = 0;
    for (const auto& dir : cluster_.target_dirs()) n += fs::exists(chunk_file_path(dir, id)) ? 1 : 0;
    return n;
  }

  TestCluster cluster_;
};

TEST_F(SessionsTest, DeadClientsOpenFilesAreClosedWhenItsLeaseRunsOut) {
  const std::string mnt2 = cluster_.make_dir("mnt2");
  ASSERT_TRUE(cluster_.mount_client(mnt2));
  const std::string main = cluster_.mountpoint();
  std::vector<char> data = make_data(7, 3 * kMiB);

  // Through the client that will die: one file open for writing that stays
  // named, one that is unlinked while open and written after that. fsctl
  // runs before the writes: a child process that inherits the descriptors
  // closes them when it ends, and that FLUSH would record the size.
  int kept = open((mnt2 + "/kept").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(kept, 0) << strerror(errno);
  int victim = open((mnt2 + "/victim").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(victim, 0) << strerror(errno);
  const EntryInfo victim_info = cluster_.entry_info(main + "/victim");
  ASSERT_FALSE(victim_info.entry_id.empty());
  EXPECT_EQ(victim_info.open_writers, 1u);
  EXPECT_EQ(open_writers(main + "/kept"), 1u);
  ASSERT_EQ(write_fully(kept, data, 0), 0);
  ASSERT_EQ(write_fully(victim, data, 0), 0);
  ASSERT_EQ(unlink((mnt2 + "/victim").c_str()), 0) << strerror(errno);
  ASSERT_EQ(write_fully(victim, data, data.size()), 0);
  ASSERT_EQ(fsync(victim), 0) << strerror(errno);
  ASSERT_GT(chunk_files(victim_info.entry_id), 0u) << "the unlinked file's data must stay while it is open";

  // The client dies without closing anything; its mount goes dead.
  const auto died = std::chrono::steady_clock::now();
  cluster_.kill_daemon("client:" + mnt2);
  close(kept);  // fails on the dead mount; the fds just go
  close(victim);

  EXPECT_TRUE(eventually([&] { return chunk_files(victim_info.entry_id) == 0; }, 30s))
      << "the chunk files of the dead client's unlinked file are still on the targets";
  const auto waited = std::chrono::steady_clock::now() - died;
  EXPECT_TRUE(eventually([&] { return open_writers(main + "/kept") == 0; }, 10s))
      << "the dead client still counts as a writer of 'kept'";
  // Not before the lease could have run out (its last renewal came at most a
  // quarter of the lease before the kill).
  EXPECT_GT(waited, kLease / 2);
  EXPECT_TRUE(cluster_.wait_for_log("metad", "closed its 2 open file records", 5s)) << cluster_.logs(20);


  // 'kept' was never closed nor synced: metad learns its size from the
  // targets, and a live client reads everything the dead one wrote.
  std::error_code ec;
  EXPECT_TRUE(eventually([&] { return fs::file_size(main + "/kept", ec) == data.size(); }, 10s))
      << "size of 'kept' after its writer died: " << fs::file_size(main + "/kept", ec);
  EXPECT_TRUE(cluster_.wait_for_log("metad", "found on the targets after its last writer died", 5s));
  std::vector<char> back(data.size());
  int fd = open((main + "/kept").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << strerror(errno);
  EXPECT_EQ(read_fully(fd, back, 0), 0);
  EXPECT_TRUE(back == data) << "the dead client's data does not read back";
  close(fd);
  EXPECT_TRUE(cluster_.unmount(mnt2));
}

TEST_F(SessionsTest, LiveClientKeepsItsOpenFilesAcrossLeases) {
  // A client with an unlinked file open does nothing for several leases: its
  // keepalives must keep the file and its data.
  const std::string path = cluster_.mountpoint() + "/quiet";
  std::vector<char> data = make_data(8, kMiB + 17);
  int fd = open(path.c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(write_fully(fd, data, 0), 0);
  ASSERT_EQ(fsync(fd), 0) << strerror(errno);
  const std::string id = cluster_.entry_info(path).entry_id;
  ASSERT_EQ(unlink(path.c_str()), 0) << strerror(errno);

  std::this_thread::sleep_for(4 * kLease);
  EXPECT_GT(chunk_files(id), 0u) << "a live client's unlinked open file lost its data";
  std::vector<char> back(data.size());
  EXPECT_EQ(read_fully(fd, back, 0), 0);
  EXPECT_EQ(back, data);
  EXPECT_EQ(close(fd), 0) << strerror(errno);
  // The last close removes it as always.
  EXPECT_TRUE(eventually([&] { return chunk_files(id) == 0; }, 30s));
  EXPECT_EQ(cluster_.log_text("metad").find("open file records"), std::string::npos)
      << "metad took the live client for dead";
}

}  // namespace
}  // namespace combfs::test
