// End-to-end checksums and the missing-chunk rule, through the mount
// (docs/mirroring.md "Checksums"): bytes flipped in a chunk file on a target
// make the read fail with EIO -- never return the wrong bytes -- and the client
// and stored logs name the target, the file and the offset; a chunk file that
// the file's size requires but that is gone reads as EIO, not as zeros;
// sparse files still read zeros; chunk files without checksum sidecars
// (written before checksums existed) still read.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "tests/harness/data.h"
#include "tests/harness/fsctl_output.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kBlock = 64 << 10;  // checksum block

class ChecksumTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 2}));
    target_dir_ = cluster_.target_paths();
    ASSERT_EQ(target_dir_.size(), 4u);
  }

  // A 4 MiB file over 4 targets with 1 MiB chunks: chunk i on target index i.
  std::vector<char> write_striped(const std::string& path, uint64_t seed) {
    auto data = make_data(seed, 4 * kMiB);
    std::string err;
    EXPECT_TRUE(write_file(path, data, &err)) << err;
    auto r = cluster_.run_fsctl({"getentryinfo", path});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    auto parsed = parse_entry_info(r.out);
    EXPECT_TRUE(parsed) << r.out;
    if (parsed) info_ = *parsed;
    EXPECT_EQ(info_.targets.size(), 4u) << r.out;
    EXPECT_EQ(info_.chunk_size, kMiB) << r.out;
    return data;
  }

  std::string chunk_file(size_t target_index) {
    return chunk_file_path(target_dir_.at(info_.targets.at(target_index)), info_.entry_id);
  }

  // Reads `length` bytes at `offset` with O_DIRECT (no page cache, and the
  // client sees exactly this range). Returns 0 or the errno.
  int read_direct(const std::string& path, uint64_t offset, size_t length, std::vector<char>& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
    if (fd < 0) return errno;
    void* raw = nullptr;
    if (::posix_memalign(&raw, 4096, length) != 0) {
      ::close(fd);
      return ENOMEM;
    }
    std::unique_ptr<char, decltype(&std::free)> buf(static_cast<char*>(raw), &std::free);
    int rc = read_fully(fd, {buf.get(), length}, offset);
    ::close(fd);
    if (rc == 0) out.assign(buf.get(), buf.get() + length);
    return rc;
  }

  // stored daemons keep chunk files open: after removing one behind their
  // back, restart them so they look at the disk again.
  void restart_storage() {
    for (const auto& name : {"stored0", "stored1"}) {
      ASSERT_TRUE(cluster_.stop_daemon(name));
      ASSERT_TRUE(cluster_.restart_daemon(name));
    }
  }

  std::string all_storage_logs() const { return cluster_.log_text("stored0") + cluster_.log_text("stored1"); }

  TestCluster cluster_;
  std::map<uint32_t, std::string> target_dir_;
  EntryInfo info_;
};

TEST_F(ChecksumTest, FlippedBytesInAChunkFileFailTheReadWithEioAndALogLine) {
  const std::string path = cluster_.mountpoint() + "/checkpoint";
  auto data = write_striped(path, 1);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(cluster_.remount());  // nothing of the file left in the page cache

  // 64 bytes inside chunk 1 (target index 1), local offset 300000: block 4.
  const uint64_t local = 300000;
  {
    std::fstream f(chunk_file(1), std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f) << chunk_file(1);
    f.seekp(static_cast<std::streamoff>(local));
    std::vector<char> flipped(data.begin() + kMiB + local, data.begin() + kMiB + local + 64);
    for (auto& c : flipped) c = static_cast<char>(~c);
    f.write(flipped.data(), 64);
  }
  const uint64_t bad_block = kMiB + local / kBlock * kBlock;  // file offset of the damaged block

  std::vector<char> out;
  EXPECT_EQ(read_direct(path, bad_block, kBlock, out), EIO) << "the damaged block must not be returned";
  EXPECT_EQ(read_direct(path, kMiB, kMiB, out), EIO) << "nor any read that covers it";
  // The rest of the file reads back right, also the blocks next to it.
  ASSERT_EQ(read_direct(path, bad_block + kBlock, kBlock, out), 0);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin() + bad_block + kBlock));
  ASSERT_EQ(read_direct(path, 0, kMiB, out), 0);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin()));
  // Through the page cache too: the whole file fails, never wrong bytes.
  std::string err;
  auto whole = read_file(path, &err);
  EXPECT_TRUE(whole.empty());
  EXPECT_NE(err.find(std::strerror(EIO)), std::string::npos) << err;

  const std::string target = std::to_string(info_.targets[1]);
  const std::string client_log = cluster_.log_text("client");
  EXPECT_NE(client_log.find("target " + target + ", file " + info_.entry_id + ", offset " + std::to_string(bad_block)),
            std::string::npos)
      << client_log;
  EXPECT_NE(client_log.find("STORAGE_CHECKSUM_MISMATCH"), std::string::npos) << client_log;
  const std::string stored_log = all_storage_logs();
  EXPECT_NE(stored_log.find("target " + target), std::string::npos) << stored_log;
  EXPECT_NE(stored_log.find("file " + info_.entry_id), std::string::npos) << stored_log;
  EXPECT_NE(stored_log.find("local offset " + std::to_string(local / kBlock * kBlock)), std::string::npos)
      << stored_log;

  // Rewriting the damaged block whole repairs the file.
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write_fully(fd, {data.data() + bad_block, kBlock}, bad_block), 0);
  ASSERT_EQ(::close(fd), 0);
  ASSERT_TRUE(cluster_.remount());
  EXPECT_EQ(read_file(path, &err), data) << err;
}

TEST_F(ChecksumTest, AMissingChunkFileBelowTheSizeReadsAsEioNotZeros) {
  const std::string path = cluster_.mountpoint() + "/lost";
  auto data = write_striped(path, 2);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(fs::remove(chunk_file(2)));
  restart_storage();
  ASSERT_TRUE(cluster_.remount());

  std::vector<char> out;
  EXPECT_EQ(read_direct(path, 2 * kMiB + 4096, 8192, out), EIO);
  ASSERT_EQ(read_direct(path, 0, 2 * kMiB, out), 0) << "the chunks that are there still read";
  EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin()));
  const std::string client_log = cluster_.log_text("client");
  EXPECT_NE(client_log.find("STORAGE_CHUNK_MISSING"), std::string::npos) << client_log;
  EXPECT_NE(client_log.find("target " + std::to_string(info_.targets[2]) + ", file " + info_.entry_id +
                            ", offset " + std::to_string(2 * kMiB + 4096)),
            std::string::npos)
      << client_log;
}

TEST_F(ChecksumTest, SparseFilesAndFilesGrownByTruncateReadZeros) {
  // One byte far out: chunk 10 (target index 2); the chunks before it are holes.
  const std::string sparse = cluster_.mountpoint() + "/sparse";
  const uint64_t far = 10 * kMiB + 5;
  int fd = ::open(sparse.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write_fully(fd, {"x", 1}, far), 0);
  // And a hole inside a chunk: bytes at the start of chunk 0 only.
  ASSERT_EQ(write_fully(fd, {"abc", 3}, 0), 0);
  ASSERT_EQ(::close(fd), 0);
  const std::string grown = cluster_.mountpoint() + "/grown";
  fd = ::open(grown.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 5 * kMiB + 77), 0);
  ASSERT_EQ(::close(fd), 0);
  ASSERT_TRUE(cluster_.remount());

  std::string err;
  auto back = read_file(sparse, &err);
  ASSERT_EQ(back.size(), far + 1) << err;
  std::vector<char> want(far + 1, 0);
  std::memcpy(want.data(), "abc", 3);
  want[far] = 'x';
  EXPECT_EQ(back, want);
  back = read_file(grown, &err);
  EXPECT_EQ(back, std::vector<char>(5 * kMiB + 77, 0)) << err;

  // The sparse write created the chunk files its size requires (the
  // missing-chunk rule), empty where they are holes.
  auto r = cluster_.run_fsctl({"getentryinfo", sparse});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  info_ = *parse_entry_info(r.out);
  for (size_t i = 0; i < info_.targets.size(); ++i) EXPECT_TRUE(fs::exists(chunk_file(i))) << "target index " << i;
}

TEST_F(ChecksumTest, ChunkFilesWithoutChecksumSidecarsStillRead) {
  const std::string path = cluster_.mountpoint() + "/old";
  auto data = write_striped(path, 3);
  ASSERT_FALSE(HasFailure());
  // As a target written before checksums existed: no sidecars.
  for (size_t i = 0; i < 4; ++i) ASSERT_TRUE(fs::remove(chunk_file(i) + ".crc")) << chunk_file(i);
  restart_storage();
  ASSERT_TRUE(cluster_.remount());
  std::string err;
  EXPECT_EQ(read_file(path, &err), data) << err;
  // And they take writes, still without checksums.
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write_fully(fd, {"new", 3}, kMiB + 10), 0);
  ASSERT_EQ(::close(fd), 0);
  std::memcpy(data.data() + kMiB + 10, "new", 3);
  ASSERT_TRUE(cluster_.remount());
  EXPECT_EQ(read_file(path, &err), data) << err;
  EXPECT_FALSE(fs::exists(chunk_file(1) + ".crc"));
}

}  // namespace
}  // namespace combfs::test
