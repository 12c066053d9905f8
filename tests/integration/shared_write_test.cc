// Several processes write disjoint regions of one file at the same time (the
// MPI checkpoint pattern); every byte must end up where its writer put it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

constexpr int kWriters = 4;
constexpr uint64_t kBlock = 1 << 20;
constexpr uint64_t kRegion = 64 * kBlock;  // per writer
constexpr uint64_t kBlocksPerRegion = kRegion / kBlock;

// Writer w's pattern; distinct seeds make misplaced blocks detectable.
uint64_t seed_of(int w) { return 0x5a5a0000 + w; }

// Child: waits on `go`, writes its region block by block, fsyncs. Returns the exit code.
int write_region(const std::string& path, int w, int go) {
  char c;
  if (read(go, &c, 1) != 0) return 2;  // the parent closes the pipe to start everyone
  int fd = open(path.c_str(), O_WRONLY);
  if (fd < 0) return 3;
  std::vector<char> buf(kBlock);
  for (uint64_t b = 0; b < kBlocksPerRegion; ++b) {
    fill_block(seed_of(w), b, buf);
    if (write_fully(fd, buf, w * kRegion + b * kBlock) != 0) return 4;
  }
  if (fsync(fd) != 0) return 5;
  if (close(fd) != 0) return 6;
  return 0;
}

void verify(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << strerror(errno);
  std::vector<char> want(kBlock), got(kBlock);
  for (int w = 0; w < kWriters; ++w) {
    for (uint64_t b = 0; b < kBlocksPerRegion; ++b) {
      uint64_t offset = w * kRegion + b * kBlock;
      fill_block(seed_of(w), b, want);
      int err = read_fully(fd, got, offset);
      ASSERT_EQ(err, 0) << "read at " << offset << ": " << strerror(err);
      int64_t d = first_difference(want, got);
      ASSERT_EQ(d, -1) << "writer " << w << "'s data differs at file offset " << offset + d;
    }
  }
  close(fd);
}

TEST(SharedWriteTest, DisjointRegionsFromFourProcesses) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 2, .targets_per_daemon = 2}));
  const std::string path = cluster.mountpoint() + "/shared.bin";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  close(fd);

  int go[2];
  ASSERT_EQ(pipe(go), 0);
  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0) << strerror(errno);
    if (pid == 0) {
      close(go[1]);
      _exit(write_region(path, w, go[0]));
    }
    writers.push_back(pid);
  }
  close(go[0]);
  close(go[1]);  // start

  for (int w = 0; w < kWriters; ++w) {
    int status = 0;
    bool done = wait_exit(writers[w], std::chrono::seconds(240), &status);
    if (!done) {
      for (pid_t p : writers) kill(p, SIGKILL);
      for (pid_t p : writers) waitpid(p, nullptr, 0);
      FAIL() << "writer " << w << " did not finish within 240 s";
    }
    EXPECT_EQ(exit_code_of(status), 0) << "writer " << w << " failed (2 start, 3 open, 4 write, 5 fsync, 6 close)";
  }

  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(uint64_t(st.st_size), kWriters * kRegion);
  verify(path);

  // Again with nothing cached in the kernel: the data is on the targets.
  ASSERT_TRUE(cluster.remount());
  ASSERT_EQ(stat(path.c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(uint64_t(st.st_size), kWriters * kRegion);
  verify(path);
}

}  // namespace
}  // namespace combfs::test
