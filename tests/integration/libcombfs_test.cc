// libcombfs against a real cluster: the C API (combfs/combfs.h) from C++ and
// from a program compiled as C, batch I/O with per-I/O results, and data
// written through the library read back through the FUSE mount.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "combfs/combfs.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

class LibcombfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 2}));
    // Small chunks over all 4 targets: a batch spreads over every target.
    ASSERT_EQ(mkdir((cluster_.mountpoint() + "/striped").c_str(), 0755), 0);
    auto r = cluster_.run_fsctl({"setpattern", "--chunksize", "64K", "--numtargets", "4",
                                 cluster_.mountpoint() + "/striped"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_EQ(combfs_connect(cluster_.mgmtd_address().c_str(), cluster_.secret_file().c_str(), &client_), 0)
        << combfs_last_error();
  }
  void TearDown() override {
    if (client_) combfs_disconnect(client_);
  }

  static std::vector<char> pattern(size_t n, unsigned seed) {
    std::vector<char> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<char>((i * 2654435761u + seed) >> 7);
    return v;
  }

  TestCluster cluster_;
  combfs_client_t* client_ = nullptr;
};

TEST_F(LibcombfsTest, ConnectErrorsSayWhatIsWrong) {
  combfs_client_t* c = nullptr;
  std::string wrong = cluster_.make_secret_file("wrong-secret");
  int rc = combfs_connect(cluster_.mgmtd_address().c_str(), wrong.c_str(), &c);
  EXPECT_LT(rc, 0);
  EXPECT_EQ(c, nullptr);
  EXPECT_NE(std::string(combfs_last_error()).find("secret"), std::string::npos) << combfs_last_error();
  rc = combfs_connect(cluster_.mgmtd_address().c_str(), (cluster_.dir() + "/no-such-secret").c_str(), &c);
  EXPECT_LT(rc, 0);
  EXPECT_NE(std::string(combfs_last_error()).find("no-such-secret"), std::string::npos) << combfs_last_error();
}

TEST_F(LibcombfsTest, FileCallsAndMountAgree) {
  const std::vector<char> data = pattern(300000, 1);
  combfs_file_t* f = nullptr;
  ASSERT_EQ(combfs_open(client_, "/striped/a", O_CREAT | O_EXCL | O_RDWR, 0600, &f), 0) << combfs_last_error();
  ASSERT_EQ(combfs_write(f, data.data(), 100000), 100000) << combfs_last_error();
  ASSERT_EQ(combfs_write(f, data.data() + 100000, 100000), 100000) << combfs_last_error();
  ASSERT_EQ(combfs_pwrite(f, data.data() + 200000, 100000, 200000), 100000) << combfs_last_error();
  struct combfs_stat st {};
  ASSERT_EQ(combfs_fstat(f, &st), 0) << combfs_last_error();
  EXPECT_EQ(st.size, data.size());  // open for write: the size on storage
  ASSERT_EQ(combfs_fsync(f), 0) << combfs_last_error();
  std::vector<char> back(data.size());
  ASSERT_EQ(combfs_pread(f, back.data(), back.size(), 0), static_cast<ssize_t>(data.size())) << combfs_last_error();
  EXPECT_EQ(back, data);
  ASSERT_EQ(combfs_close(f), 0) << combfs_last_error();

  ASSERT_EQ(combfs_stat(client_, "striped/a", &st), 0) << combfs_last_error();
  EXPECT_EQ(st.size, data.size());
  EXPECT_EQ(st.mode, S_IFREG | 0600u);
  // The mount sees what the library wrote (close-to-open).
  std::ifstream in(cluster_.mountpoint() + "/striped/a", std::ios::binary);
  std::vector<char> via_mount((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(via_mount, data);

  EXPECT_EQ(combfs_open(client_, "/striped/a", O_CREAT | O_EXCL | O_WRONLY, 0600, &f), -EEXIST);
  EXPECT_EQ(combfs_mkdir(client_, "/striped/d", 0750), 0) << combfs_last_error();
  ASSERT_EQ(combfs_stat(client_, "/striped/d", &st), 0) << combfs_last_error();
  EXPECT_TRUE(S_ISDIR(st.mode));
  EXPECT_EQ(combfs_rmdir(client_, "/striped/d"), 0) << combfs_last_error();
  EXPECT_EQ(combfs_unlink(client_, "/striped/a"), 0) << combfs_last_error();
  EXPECT_EQ(combfs_stat(client_, "/striped/a", &st), -ENOENT);
  EXPECT_NE(std::string(combfs_last_error()).find("striped/a"), std::string::npos) << combfs_last_error();
  EXPECT_EQ(combfs_open(client_, "/striped/a", O_RDONLY, 0, &f), -ENOENT);
}

// Many writes, then many reads, in one batch each: all land, each I/O has its
// own result, failures stay with their I/O, and close records the size.
TEST_F(LibcombfsTest, BatchWritesAndReads) {
  constexpr size_t kIo = 40000;  // pieces cross 64 KiB chunk boundaries
  constexpr size_t kCount = 64;
  const std::vector<char> data = pattern(kIo * kCount, 7);
  combfs_file_t* f = nullptr;
  ASSERT_EQ(combfs_open(client_, "/striped/batch", O_CREAT | O_WRONLY, 0644, &f), 0) << combfs_last_error();
  std::vector<combfs_io> ios(kCount);
  for (size_t i = 0; i < kCount; ++i) {
    size_t k = (i * 37) % kCount;  // out of order
    ios[i] = combfs_io{f, COMBFS_IO_WRITE, k * kIo, kIo, const_cast<char*>(data.data() + k * kIo), 0};
  }
  ASSERT_EQ(combfs_submit(client_, ios.data(), ios.size()), 0) << combfs_last_error();
  for (const auto& io : ios) EXPECT_EQ(io.result, static_cast<ssize_t>(kIo));
  ASSERT_EQ(combfs_close(f), 0) << combfs_last_error();
  struct combfs_stat st {};
  ASSERT_EQ(combfs_stat(client_, "/striped/batch", &st), 0) << combfs_last_error();
  EXPECT_EQ(st.size, data.size());  // recorded by close after batch writes

  ASSERT_EQ(combfs_open(client_, "/striped/batch", O_RDONLY, 0, &f), 0) << combfs_last_error();
  std::vector<char> back(data.size() + 1000, 0);
  std::vector<char> scratch(5000);
  std::vector<combfs_io> reads;
  for (size_t k = 0; k < kCount; ++k) reads.push_back(combfs_io{f, COMBFS_IO_READ, k * kIo, kIo, back.data() + k * kIo, 0});
  reads.push_back(combfs_io{f, COMBFS_IO_READ, data.size() - 10, 5000, scratch.data(), 0});  // crosses the end
  reads.push_back(combfs_io{f, COMBFS_IO_READ, data.size() + 100, 10, scratch.data(), 0});   // past the end
  reads.push_back(combfs_io{f, COMBFS_IO_WRITE, 0, 10, scratch.data(), 0});                   // read-only file
  reads.push_back(combfs_io{f, 7, 0, 10, scratch.data(), 0});                                 // no such op
  reads.push_back(combfs_io{f, COMBFS_IO_READ, 5, 0, nullptr, 0});                            // empty
  EXPECT_EQ(combfs_submit(client_, reads.data(), reads.size()), 2);
  for (size_t k = 0; k < kCount; ++k) EXPECT_EQ(reads[k].result, static_cast<ssize_t>(kIo)) << "read " << k;
  back.resize(data.size());
  EXPECT_EQ(back, data);
  EXPECT_EQ(reads[kCount].result, 10);
  EXPECT_EQ(std::vector<char>(scratch.begin(), scratch.begin() + 10), std::vector<char>(data.end() - 10, data.end()));
  EXPECT_EQ(reads[kCount + 1].result, 0);
  EXPECT_EQ(reads[kCount + 2].result, -EACCES);
  EXPECT_EQ(reads[kCount + 3].result, -EINVAL);
  EXPECT_EQ(reads[kCount + 4].result, 0);
  EXPECT_EQ(combfs_submit(client_, nullptr, 3), -EINVAL);
  ASSERT_EQ(combfs_close(f), 0) << combfs_last_error();
}

// A batch over a hole: bytes never written read as zeros up to the size.
TEST_F(LibcombfsTest, BatchReadsHolesAsZeros) {
  combfs_file_t* f = nullptr;
  ASSERT_EQ(combfs_open(client_, "/striped/sparse", O_CREAT | O_RDWR, 0644, &f), 0) << combfs_last_error();
  const std::vector<char> data = pattern(1000, 3);
  ASSERT_EQ(combfs_pwrite(f, data.data(), data.size(), 1 << 20), 1000) << combfs_last_error();
  std::vector<char> hole(200000, 'x');
  std::vector<char> end(2000, 'x');
  combfs_io ios[2] = {{f, COMBFS_IO_READ, 100, hole.size(), hole.data(), 0},
                      {f, COMBFS_IO_READ, (1 << 20) - 1000, end.size(), end.data(), 0}};
  ASSERT_EQ(combfs_submit(client_, ios, 2), 0) << combfs_last_error();
  EXPECT_EQ(ios[0].result, static_cast<ssize_t>(hole.size()));
  EXPECT_EQ(hole, std::vector<char>(hole.size(), 0));
  EXPECT_EQ(ios[1].result, 2000);
  EXPECT_EQ(std::vector<char>(end.begin(), end.begin() + 1000), std::vector<char>(1000, 0));
  EXPECT_EQ(std::vector<char>(end.begin() + 1000, end.end()), data);
  ASSERT_EQ(combfs_close(f), 0) << combfs_last_error();
}

TEST_F(LibcombfsTest, CProgram) {
  auto r = run_command({TestCluster::bin("combfs-libcombfs-check"), cluster_.mgmtd_address(), cluster_.secret_file(),
                        "/striped/c-dir"},
                       std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace combfs::test
