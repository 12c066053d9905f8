// File size as other observers see it: another process on the same mount and a
// second client mount (no attribute cache) while a writer still has the file
// open, after close, and across truncate; holes read as zeros.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

constexpr uint64_t kMiB = 1 << 20;

// st_size of `path` as seen by a separate process, or -errno.
int64_t size_from_other_process(const std::string& path) {
  int fds[2];
  if (pipe(fds) != 0) return -errno;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    struct stat st;
    int64_t v = stat(path.c_str(), &st) == 0 ? st.st_size : -errno;
    (void)!write(fds[1], &v, sizeof v);
    _exit(0);
  }
  close(fds[1]);
  int64_t v = -EIO;
  if (pid < 0 || read(fds[0], &v, sizeof v) != sizeof v) v = -EIO;
  close(fds[0]);
  if (pid > 0 && !wait_exit(pid, std::chrono::seconds(30))) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  return v;
}

int64_t size_of(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -errno;
}

std::vector<char> read_range(const std::string& path, uint64_t offset, uint64_t len) {
  std::vector<char> buf(len);
  int fd = open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0) << path << ": " << strerror(errno);
  if (fd < 0) return {};
  int err = read_fully(fd, buf, offset);
  EXPECT_EQ(err, 0) << "read " << path << " [" << offset << ", +" << len << "): " << strerror(err);
  close(fd);
  return buf;
}

bool all_zero(const std::vector<char>& v) {
  return std::all_of(v.begin(), v.end(), [](char c) { return c == 0; });
}

class SizeTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 2}));
    other_mount_ = cluster_.make_dir("mnt2");
    // No attribute or entry caching: every stat there asks the cluster.
    ASSERT_TRUE(cluster_.mount_client(other_mount_, "attr_timeout=0,entry_timeout=0"));
  }

  // Size of relative `name` from all three observers.
  void expect_size(const std::string& name, int64_t want) {
    EXPECT_EQ(size_of(cluster_.mountpoint() + "/" + name), want) << "stat in the writer's process";
    EXPECT_EQ(size_from_other_process(cluster_.mountpoint() + "/" + name), want) << "stat from another process";
    EXPECT_EQ(size_of(other_mount_ + "/" + name), want) << "stat through a second client";
  }

  TestCluster cluster_;
  std::string other_mount_;
};

TEST_F(SizeTest, OpenWriterSizeIsVisible) {
  const std::string path = cluster_.mountpoint() + "/growing";
  std::vector<char> first = make_data(1, 3 * kMiB + 100);
  std::vector<char> second = make_data(2, 1000);
  const uint64_t second_at = 5 * kMiB + 7;

  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(write_fully(fd, first, 0), 0);
  expect_size("growing", first.size());
  ASSERT_EQ(write_fully(fd, second, second_at), 0);
  expect_size("growing", second_at + second.size());
  ASSERT_EQ(close(fd), 0) << strerror(errno);
  expect_size("growing", second_at + second.size());

  // The hole between the two writes reads as zeros; the data is intact.
  const std::string other = other_mount_ + "/growing";
  EXPECT_EQ(first_difference(read_range(other, 0, first.size()), first), -1);
  EXPECT_TRUE(all_zero(read_range(other, first.size(), second_at - first.size())));
  EXPECT_EQ(first_difference(read_range(other, second_at, second.size()), second), -1);
}

TEST_F(SizeTest, TruncateGrowAndShrink) {
  const std::string name = "truncated";
  const std::string path = cluster_.mountpoint() + "/" + name;
  std::vector<char> data = make_data(3, 3 * kMiB);
  std::string err;
  ASSERT_TRUE(write_file(path, data, &err)) << err;
  expect_size(name, 3 * kMiB);

  ASSERT_EQ(truncate(path.c_str(), 10 * kMiB), 0) << strerror(errno);
  expect_size(name, 10 * kMiB);
  EXPECT_EQ(first_difference(read_range(path, 0, 3 * kMiB), data), -1);
  EXPECT_TRUE(all_zero(read_range(path, 3 * kMiB, 7 * kMiB))) << "grown region is not zero";

  // Shrinking into the middle of a chunk, then growing again: the cut-off data
  // must not come back.
  const uint64_t cut = kMiB + kMiB / 2;
  ASSERT_EQ(truncate(path.c_str(), cut), 0) << strerror(errno);
  expect_size(name, cut);
  EXPECT_EQ(first_difference(read_range(other_mount_ + "/" + name, 0, cut), std::span(data.data(), cut)), -1);
  ASSERT_EQ(truncate(path.c_str(), 4 * kMiB), 0) << strerror(errno);
  expect_size(name, 4 * kMiB);
  EXPECT_TRUE(all_zero(read_range(path, cut, 4 * kMiB - cut))) << "data beyond the truncation point came back";
  EXPECT_TRUE(all_zero(read_range(other_mount_ + "/" + name, cut, 4 * kMiB - cut)))
      << "second client: data beyond the truncation point came back";

  // ftruncate on an open descriptor.
  int fd = open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(ftruncate(fd, 2 * kMiB), 0) << strerror(errno);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(uint64_t(st.st_size), 2 * kMiB);
  ASSERT_EQ(close(fd), 0);
  expect_size(name, 2 * kMiB);

  ASSERT_TRUE(cluster_.remount());
  expect_size(name, 2 * kMiB);
  EXPECT_EQ(first_difference(read_range(path, 0, cut), std::span(data.data(), cut)), -1);
  EXPECT_TRUE(all_zero(read_range(path, cut, 2 * kMiB - cut)));
}

}  // namespace
}  // namespace combfs::test
