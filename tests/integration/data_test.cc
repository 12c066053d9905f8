// Streams 1 GiB of pseudo-random data through the mount and reads it back after
// a remount (so nothing comes from the kernel's page cache), comparing
// checksums. Prints the throughput of both directions; the figures are not
// asserted (see bench/ for measurements).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBlock = 1 << 20;
constexpr uint64_t kSeed = 0xda7a;

// COMBFS_DATA_TEST_MIB shrinks the file for quick local runs; ctest uses 1 GiB.
uint64_t file_mib() {
  const char* env = std::getenv("COMBFS_DATA_TEST_MIB");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 1024;
}

double mib_per_s(uint64_t bytes, Clock::duration d) {
  return bytes / double(1 << 20) / std::chrono::duration<double>(d).count();
}

void drop_caches() {
  sync();
  std::ofstream("/proc/sys/vm/drop_caches") << "3\n";  // needs root; ignored otherwise
}

TEST(DataTest, GibRoundTripMatchesChecksum) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 2, .targets_per_daemon = 2}));
  const std::string path = cluster.mountpoint() + "/big.bin";
  const uint64_t blocks = file_mib();
  const uint64_t size = blocks * kBlock;
  std::vector<char> buf(kBlock);
  std::vector<uint64_t> block_sums(blocks);

  Checksum written;
  auto t0 = Clock::now();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << "create " << path << ": " << strerror(errno);
  for (uint64_t b = 0; b < blocks; ++b) {
    fill_block(kSeed, b, buf);
    written.update(buf);
    Checksum one;
    one.update(buf);
    block_sums[b] = one.digest();
    ssize_t n = write(fd, buf.data(), buf.size());
    ASSERT_EQ(n, ssize_t(kBlock)) << "write of block " << b << ": " << (n < 0 ? strerror(errno) : "short write");
  }
  ASSERT_EQ(fsync(fd), 0) << "fsync: " << strerror(errno);
  ASSERT_EQ(close(fd), 0) << "close: " << strerror(errno);
  auto write_time = Clock::now() - t0;

  drop_caches();
  ASSERT_TRUE(cluster.remount());

  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0) << strerror(errno);
  ASSERT_EQ(uint64_t(st.st_size), size);

  Checksum read_back;
  int64_t first_bad_block = -1;
  auto t1 = Clock::now();
  fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << "open " << path << ": " << strerror(errno);
  for (uint64_t b = 0; b < blocks; ++b) {
    int err = read_fully(fd, buf, b * kBlock);
    ASSERT_EQ(err, 0) << "read of block " << b << ": " << strerror(err);
    read_back.update(buf);
    Checksum one;
    one.update(buf);
    if (first_bad_block < 0 && one.digest() != block_sums[b]) first_bad_block = b;
  }
  char extra;
  EXPECT_EQ(pread(fd, &extra, 1, size), 0) << "data beyond the end of the file";
  close(fd);
  auto read_time = Clock::now() - t1;

  EXPECT_EQ(read_back.digest(), written.digest()) << "first block that differs: " << first_bad_block;
  std::cout << "data_test: " << blocks << " MiB written at " << mib_per_s(size, write_time)
            << " MiB/s (incl. fsync), read at " << mib_per_s(size, read_time) << " MiB/s (after remount)\n";
}

}  // namespace
}  // namespace combfs::test
