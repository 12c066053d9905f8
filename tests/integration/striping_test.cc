// Striping as seen from outside: for a pattern of N targets, getentryinfo lists
// N distinct targets, and exactly those targets hold a chunk file of the entry
// whose size and contents follow the raid0 rule (chunk i on targets[i % N] at
// local offset (i / N) * chunk_size). The expectation is computed here, not
// taken from striping/, so the test checks the daemons against the rule itself.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "tests/harness/data.h"
#include "tests/harness/fsctl_output.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kFileSize = (8u << 20) + (512u << 10);  // 8.5 MiB: ends in a partial chunk

// Bytes target `t` of `n` holds of a file of `size` bytes in chunks of `chunk`.
uint64_t expected_local_size(uint64_t size, uint64_t chunk, uint32_t n, uint32_t t) {
  uint64_t total = 0;
  for (uint64_t i = 0; i * chunk < size; ++i)
    if (i % n == t) total += std::min(chunk, size - i * chunk);
  return total;
}

class StripingTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 2}));
    ASSERT_EQ(cluster_.target_dirs().size(), 4u);
    auto r = cluster_.run_fsctl_admin({"listtargets"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    for (const auto& [id, path] : parse_target_paths(r.out)) target_dir_[id] = fs::weakly_canonical(path).string();
    ASSERT_EQ(target_dir_.size(), 4u) << "listtargets should show the 4 targets:\n" << r.out;
    for (const auto& dir : cluster_.target_dirs()) {
      auto known = std::find_if(target_dir_.begin(), target_dir_.end(),
                                [&](auto& kv) { return kv.second == fs::weakly_canonical(dir).string(); });
      ASSERT_NE(known, target_dir_.end()) << "target dir " << dir << " missing in listtargets:\n" << r.out;
    }
  }

  void set_pattern(const std::string& dir, uint32_t n, const std::string& chunk) {
    auto r = cluster_.run_fsctl({"setpattern", "--numtargets", std::to_string(n), "--chunksize", chunk, dir});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  // Writes a file, then checks its layout, its chunk files and (after a remount
  // of the client) its contents.
  void write_and_check(const std::string& path, uint32_t n, uint64_t chunk, uint64_t seed) {
    SCOPED_TRACE(path);
    std::vector<char> data = make_data(seed, kFileSize);
    std::string err;
    ASSERT_TRUE(write_file(path, data, &err)) << err;

    auto r = cluster_.run_fsctl({"getentryinfo", path});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    auto info = parse_entry_info(r.out);
    ASSERT_TRUE(info) << "unparsable getentryinfo output:\n" << r.out;
    EXPECT_EQ(info->type, "file");
    EXPECT_EQ(info->pattern, "raid0");
    EXPECT_EQ(info->chunk_size, chunk);
    EXPECT_EQ(info->num_targets, n);
    ASSERT_EQ(info->targets.size(), n) << r.out;
    ASSERT_EQ(std::set<uint32_t>(info->targets.begin(), info->targets.end()).size(), n)
        << "targets of one file must be distinct: " << r.out;

    std::set<std::string> used;
    for (uint32_t t = 0; t < n; ++t) {
      ASSERT_TRUE(target_dir_.count(info->targets[t])) << "unknown target id " << info->targets[t];
      const std::string file = chunk_file_path(target_dir_[info->targets[t]], info->entry_id);
      used.insert(target_dir_[info->targets[t]]);
      std::vector<char> local = read_file(file, &err);
      ASSERT_TRUE(err.empty()) << "chunk file of target " << info->targets[t] << ": " << err;
      ASSERT_EQ(local.size(), expected_local_size(kFileSize, chunk, n, t)) << file;
      // Chunk i of the file sits at local offset (i / n) * chunk on targets[i % n].
      for (uint64_t i = t; i * chunk < kFileSize; i += n) {
        uint64_t len = std::min(chunk, kFileSize - i * chunk);
        std::span<const char> want(data.data() + i * chunk, len);
        std::span<const char> got(local.data() + (i / n) * chunk, len);
        ASSERT_EQ(first_difference(want, got), -1) << "chunk " << i << " in " << file;
      }
    }
    for (const auto& [id, dir] : target_dir_) {
      if (used.count(dir)) continue;
      struct stat st;
      EXPECT_NE(stat(chunk_file_path(dir, info->entry_id).c_str(), &st), 0)
          << "target " << id << " is not in the layout but holds a chunk file of " << info->entry_id;
    }

    files_.push_back({path, std::move(data)});
  }

  void verify_after_remount() {
    ASSERT_TRUE(cluster_.remount());
    for (const auto& [path, data] : files_) {
      std::string err;
      std::vector<char> got = read_file(path, &err);
      ASSERT_TRUE(err.empty()) << err;
      EXPECT_EQ(first_difference(data, got), -1) << path << " reads back differently";
    }
  }

  TestCluster cluster_;
  std::map<uint32_t, std::string> target_dir_;  // target id -> canonical directory
  std::vector<std::pair<std::string, std::vector<char>>> files_;
};

TEST_F(StripingTest, ChunkFilesFollowThePattern) {
  uint64_t seed = 1;
  for (uint32_t n : {1u, 2u, 4u}) {
    std::string dir = cluster_.mountpoint() + "/n" + std::to_string(n);
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << dir << ": " << strerror(errno);
    set_pattern(dir, n, "1M");
    write_and_check(dir + "/file", n, 1 << 20, seed++);
  }
  verify_after_remount();
}

TEST_F(StripingTest, SmallerChunkSize) {
  std::string dir = cluster_.mountpoint() + "/small";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << strerror(errno);
  set_pattern(dir, 3, "256K");
  write_and_check(dir + "/file", 3, 256 << 10, 7);
  verify_after_remount();
}

TEST_F(StripingTest, NewSubdirectoryInheritsPattern) {
  std::string dir = cluster_.mountpoint() + "/two";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << strerror(errno);
  set_pattern(dir, 2, "1M");
  std::string sub = dir + "/sub";
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0) << strerror(errno);
  std::string deeper = sub + "/deeper";
  ASSERT_EQ(mkdir(deeper.c_str(), 0755), 0) << strerror(errno);
  write_and_check(sub + "/file", 2, 1 << 20, 11);
  write_and_check(deeper + "/file", 2, 1 << 20, 12);
  verify_after_remount();
}

}  // namespace
}  // namespace combfs::test
