// Writes that a storage daemon acknowledged but had not synced are lost when
// its node loses power; the client must learn it (write epochs, NFS's write
// verifier: docs/posix.md "Durability"): fsync of the handle fails with EIO.
// A daemon killed on a running machine loses nothing (the kernel still has
// the writes), so there fsync succeeds and the bytes read back.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "tests/harness/data.h"
#include "tests/harness/power_loss.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

constexpr size_t kSize = 4u << 20;  // four chunks: on both targets

class StoredPowerLossTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 1, .power_loss_model = true}));
    path_ = cluster_.mountpoint() + "/unsynced";
    data_ = make_data(5, kSize);
    // O_DIRECT: write(2) returns once the targets acknowledged, not from the page cache.
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_DIRECT, 0644);
    ASSERT_GE(fd_, 0) << strerror(errno);
    void* buffer = nullptr;
    ASSERT_EQ(posix_memalign(&buffer, 4096, kSize), 0);
    aligned_.reset(static_cast<char*>(buffer));
    std::memcpy(aligned_.get(), data_.data(), kSize);
    ASSERT_EQ(write_fully(fd_, {aligned_.get(), kSize}, 0), 0);
  }
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
  }

  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  TestCluster cluster_;
  std::string path_;
  std::vector<char> data_;
  std::unique_ptr<char, Free> aligned_;
  int fd_ = -1;
};

TEST_F(StoredPowerLossTest, FsyncReportsWritesLostInAPowerLossOfStored) {
  ASSERT_TRUE(power_loss(cluster_, "stored0"));
  ASSERT_TRUE(cluster_.restart_daemon("stored0"));
  errno = 0;
  EXPECT_EQ(fsync(fd_), -1) << "fsync succeeded although stored0 lost the unsynced writes";
  EXPECT_EQ(errno, EIO) << strerror(errno);
  EXPECT_TRUE(cluster_.wait_for_log("client", "may be lost")) << "the client names the loss in its log";
  // Reported once: the application knows, and a rewrite can be synced.
  ASSERT_EQ(write_fully(fd_, {aligned_.get(), kSize}, 0), 0);
  EXPECT_EQ(fsync(fd_), 0) << strerror(errno);
  std::string err;
  EXPECT_EQ(first_difference(read_file(path_, &err), data_), -1) << err;
}

TEST_F(StoredPowerLossTest, FsyncSucceedsAfterAKillWithoutPowerLoss) {
  cluster_.kill_daemon("stored0");
  ASSERT_TRUE(cluster_.restart_daemon("stored0"));
  EXPECT_EQ(fsync(fd_), 0) << strerror(errno);
  ASSERT_TRUE(power_loss(cluster_));
  ASSERT_TRUE(cluster_.restart_all());
  std::string err;
  EXPECT_EQ(first_difference(read_file(path_, &err), data_), -1) << "fsynced bytes after a power loss: " << err;
}

}  // namespace
}  // namespace combfs::test
