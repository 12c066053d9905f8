// Writes through the page cache go behind (client/fuse/write_behind.h): the
// data still lands in order, reads and stats of the same mount see it at once,
// a target that restarts in between loses nothing, and an error a write meets
// after write(2) returned reaches the application at fsync or close.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <csignal>
#include <thread>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

// Puts a 1 MiB tmpfs under a stopped daemon's target (with its contents) and
// takes it away again at the end.
class FullTarget {
 public:
  explicit FullTarget(std::string dir) : dir_(std::move(dir)) {}
  ~FullTarget() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  testing::AssertionResult fill() {
    const std::string saved = dir_ + ".saved";
    if (std::system(("cp -a " + dir_ + " " + saved).c_str()) != 0) return testing::AssertionFailure() << "cp";
    if (mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=1m") != 0)
      return testing::AssertionFailure() << "mount tmpfs on " << dir_ << ": " << strerror(errno);
    mounted_ = true;
    if (std::system(("cp -a " + saved + "/. " + dir_).c_str()) != 0) return testing::AssertionFailure() << "cp back";
    return testing::AssertionSuccess();
  }

 private:
  std::string dir_;
  bool mounted_ = false;
};

class WriteBehindTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 1})); }

  std::string path(const std::string& name) const { return cluster_.mountpoint() + "/" + name; }

  // Fills the second storage daemon's only target, then creates "f" for
  // reading and writing (the page-cache path); -1 after a failed assertion.
  int create_with_a_full_target() {
    EXPECT_EQ(cluster_.target_dirs().size(), 2u);
    if (cluster_.target_dirs().size() != 2 || !cluster_.stop_daemon("stored1")) return -1;
    full_.emplace(cluster_.target_dirs()[1]);
    auto filled = full_->fill();
    EXPECT_TRUE(filled);
    if (!filled || !cluster_.restart_daemon("stored1")) return -1;
    int fd = open(path("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644);
    EXPECT_GE(fd, 0) << strerror(errno);
    return fd;
  }

  TestCluster cluster_;
  std::optional<FullTarget> full_;  // after cluster_: unmounted before the cluster's directory goes
};

TEST_F(WriteBehindTest, OverwritesLandInOrderAndReadsSeeThemAtOnce) {
  // O_RDWR: the page-cache path, whose writes go behind.
  int fd = open(path("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  std::vector<char> expected = make_data(1, 8u << 20);
  ASSERT_EQ(write_fully(fd, expected, 0), 0);
  // One target stops for a while: the next writes are still on their way
  // when the read below asks for the same bytes.
  ASSERT_EQ(fsync(fd), 0) << strerror(errno);
  const pid_t stored0 = cluster_.pid("stored0");
  ASSERT_EQ(kill(stored0, SIGSTOP), 0);
  std::jthread resume([stored0] {  // joins on every way out
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    kill(stored0, SIGCONT);
  });
  // Overlaps the first write; then small writes within pages.
  std::vector<char> patch = make_data(2, (4u << 20) + 7);
  ASSERT_EQ(write_fully(fd, patch, (3u << 19) + 1), 0);
  std::copy(patch.begin(), patch.end(), expected.begin() + (3u << 19) + 1);
  for (uint64_t off = 100; off < (1u << 20); off += 70000) {
    std::vector<char> bit = make_data(off, 1000);
    ASSERT_EQ(write_fully(fd, bit, off), 0);
    std::copy(bit.begin(), bit.end(), expected.begin() + static_cast<ptrdiff_t>(off));
  }
  // O_DIRECT reads skip the page cache, so they ask the client, which must
  // first wait for the writes still in flight.
  int direct = open(path("f").c_str(), O_RDONLY | O_DIRECT);
  ASSERT_GE(direct, 0) << strerror(errno);
  void* raw = nullptr;
  ASSERT_EQ(posix_memalign(&raw, 4096, expected.size()), 0);
  std::unique_ptr<char, decltype(&free)> buf(static_cast<char*>(raw), &free);
  ASSERT_EQ(read_fully(direct, {buf.get(), expected.size()}, 0), 0);
  EXPECT_EQ(first_difference(expected, {buf.get(), expected.size()}), -1) << "read before close";
  resume.join();
  close(direct);
  ASSERT_EQ(close(fd), 0) << strerror(errno);
  // A second mount (no shared cache) after close: close-to-open.
  const std::string other = cluster_.make_dir("other");
  ASSERT_TRUE(cluster_.mount_client(other));
  std::string err;
  auto back = read_file(other + "/f", &err);
  ASSERT_TRUE(err.empty()) << err;
  EXPECT_EQ(first_difference(expected, back), -1) << "read on another mount after close";
  ASSERT_TRUE(cluster_.unmount(other));
}

// The writer is a child process: a daemon started from this process would
// inherit its descriptor, and closing it there (before exec) would wait for
// the very writes that wait for the daemon.
TEST_F(WriteBehindTest, ATargetRestartingUnderTheWritesLosesNothing) {
  std::vector<char> data = make_data(3, 12u << 20);
  int to_child[2], to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  const std::string file = path("f");
  pid_t pid = fork();
  ASSERT_GE(pid, 0) << strerror(errno);
  if (pid == 0) {
    char step = 0;
    int fd = open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || write_fully(fd, {data.data(), 6u << 20}, 0) != 0) _exit(100);
    // Writes acknowledged to write(2) may still be queued for the target now killed.
    if (write(to_parent[1], "k", 1) != 1 || read(to_child[0], &step, 1) != 1) _exit(101);
    if (write_fully(fd, {data.data() + (6u << 20), 6u << 20}, 6u << 20) != 0) _exit(102);
    if (write(to_parent[1], "r", 1) != 1 || read(to_child[0], &step, 1) != 1) _exit(103);
    _exit(close(fd) == 0 ? 0 : errno);
  }
  close(to_child[0]);
  close(to_parent[1]);
  char step = 0;
  ASSERT_EQ(read(to_parent[0], &step, 1), 1);
  cluster_.kill_daemon("stored0");
  ASSERT_EQ(write(to_child[1], "go", 1), 1);
  ASSERT_EQ(read(to_parent[0], &step, 1), 1);
  const bool restarted = cluster_.restart_daemon("stored0");
  ASSERT_EQ(write(to_child[1], "go", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(to_child[1]);
  close(to_parent[0]);
  ASSERT_TRUE(restarted);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the writer failed at step (100+) or close failed with errno "
                                    << WEXITSTATUS(status);
  ASSERT_TRUE(cluster_.remount());
  std::string err;
  auto back = read_file(path("f"), &err);
  ASSERT_TRUE(err.empty()) << err;
  EXPECT_EQ(first_difference(data, back), -1);
}

TEST_F(WriteBehindTest, AFullTargetFailsTheWriteOrTheFsyncNotSilently) {
  int fd = create_with_a_full_target();
  ASSERT_GE(fd, 0);
  // 8 MiB over two targets: the full one cannot take its 4 MiB.
  std::vector<char> data = make_data(4, 8u << 20);
  int write_error = 0;
  for (uint64_t off = 0; off < data.size() && write_error == 0; off += 1u << 20)
    write_error = write_fully(fd, {data.data() + off, 1u << 20}, off);
  int fsync_error = fsync(fd) == 0 ? 0 : errno;
  EXPECT_TRUE(write_error == ENOSPC || fsync_error == ENOSPC)
      << "write: " << strerror(write_error) << ", fsync: " << strerror(fsync_error);
  // Reported once: the next fsync has nothing new to report.
  if (fsync_error == ENOSPC) {
    EXPECT_EQ(fsync(fd), 0) << strerror(errno);
  }
  close(fd);
  EXPECT_TRUE(cluster_.wait_for_log("client", "is full")) << cluster_.logs();
}

TEST_F(WriteBehindTest, AFullTargetFailsTheWriteOrTheClose) {
  int fd = create_with_a_full_target();
  ASSERT_GE(fd, 0);
  // One chunk per target in one write(2): it usually returns before the full
  // target has answered, and then close(2) must report what it answered.
  std::vector<char> data = make_data(5, 2u << 20);
  int write_error = write_fully(fd, data, 0);
  int close_error = close(fd) == 0 ? 0 : errno;
  EXPECT_TRUE(write_error == ENOSPC || close_error == ENOSPC)
      << "write: " << strerror(write_error) << ", close: " << strerror(close_error);
}

}  // namespace
}  // namespace combfs::test
