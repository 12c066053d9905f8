// The mirrored data path through the mount (docs/mirroring.md "Mirrored data
// path"): `fsctl setpattern --type buddymirror` stripes new files over mirror
// groups; every write, truncate and removal reaches the group's primary,
// which forwards it to the secondary, so both keep byte-identical chunk files
// under <target>/mirror/; a secondary that is down fails the write (EIO)
// rather than acknowledge one copy; raid0 directories work as before.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>
#include <thread>

#include "tests/harness/data.h"
#include "tests/harness/eventually.h"
#include "tests/harness/fsctl_output.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr uint64_t kChunk = 256 << 10;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class MirrorDataTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 2}));
    target_dir_ = cluster_.target_paths();
    ASSERT_EQ(target_dir_.size(), 4u);
    dir_ = cluster_.mountpoint() + "/mirrored";
    ASSERT_EQ(::mkdir(dir_.c_str(), 0755), 0) << std::strerror(errno);
  }

  // Pairs the targets and makes dir_ buddymirror over `groups` groups.
  void make_mirrored(const std::string& groups) {
    auto paired = cluster_.run_fsctl_admin({"addmirrorgroup", "--automatic"});
    ASSERT_EQ(paired.exit_code, 0) << paired.describe();
    auto set = cluster_.run_fsctl(
        {"setpattern", "--type", "buddymirror", "--numtargets", groups, "--chunksize", "256K", dir_});
    ASSERT_EQ(set.exit_code, 0) << set.describe();
  }

  // The chunk file of stripe entry `i` of a mirrored file on its primary and
  // on its secondary.
  std::pair<std::string, std::string> copies(const EntryInfo& e, size_t i) {
    return {chunk_file_path(target_dir_.at(e.targets.at(i)), e.entry_id, "mirror"),
            chunk_file_path(target_dir_.at(e.secondaries.at(i)), e.entry_id, "mirror")};
  }

  // Both copies of every stripe entry that holds bytes (a file shorter than
  // N chunks leaves the last entries without chunk files) exist, hold the
  // same bytes and the same checksums, and together hold `size` bytes;
  // nothing is under chunks/.
  void expect_identical_copies(const std::string& path, uint64_t size) {
    auto e = cluster_.entry_info(path);
    ASSERT_EQ(e.pattern, "buddymirror");
    ASSERT_EQ(e.mirror_groups.size(), e.targets.size());
    ASSERT_EQ(e.secondaries.size(), e.targets.size());
    uint64_t total = 0;
    for (size_t i = 0; i < e.targets.size(); ++i) {
      auto [primary, secondary] = copies(e, i);
      EXPECT_NE(e.targets[i], e.secondaries[i]);
      if (size <= i * kChunk) {
        EXPECT_FALSE(fs::exists(primary) || fs::exists(secondary)) << path << " stripe entry " << i << " holds nothing";
        continue;
      }
      ASSERT_TRUE(fs::exists(primary)) << path << " stripe entry " << i << ": " << primary;
      ASSERT_TRUE(fs::exists(secondary)) << path << " stripe entry " << i << ": " << secondary;
      EXPECT_TRUE(slurp(primary) == slurp(secondary)) << path << ": the copies of stripe entry " << i << " differ";
      EXPECT_TRUE(slurp(primary + ".crc") == slurp(secondary + ".crc")) << path << ": checksums of entry " << i;
      total += fs::file_size(primary);
      for (uint32_t t : {e.targets[i], e.secondaries[i]})
        EXPECT_FALSE(fs::exists(chunk_file_path(target_dir_.at(t), e.entry_id))) << "a raid0 chunk file too";
    }
    EXPECT_EQ(total, size) << path;
  }

  // A file of 4 chunks over 2 groups in a fresh buddymirror dir_: stripe
  // entry `entry` holds chunks `entry` and `entry + 2`, 2 * kChunk bytes.
  struct FourChunks {
    std::string path;
    std::vector<char> data;
    EntryInfo info;
    std::string primary, secondary;  // the entry's chunk file on each
    std::string before;              // the secondary's copy after the write
  };
  FourChunks write_four_chunks(const std::string& name, uint64_t seed, size_t entry) {
    make_mirrored("2");
    FourChunks f{dir_ + "/" + name, make_data(seed, 4 * kChunk), {}, {}, {}, {}};
    std::string err;
    EXPECT_TRUE(write_file(f.path, f.data, &err)) << err;
    f.info = cluster_.entry_info(f.path);
    EXPECT_EQ(f.info.targets.size(), 2u);
    if (f.info.targets.size() != 2u) return f;
    std::tie(f.primary, f.secondary) = copies(f.info, entry);
    f.before = slurp(f.secondary);
    EXPECT_EQ(f.before.size(), 2 * kChunk);
    return f;
  }

  size_t mirror_files(const std::string& id) {
    size_t n = 0;
    for (const auto& [t, dir] : target_dir_) n += fs::exists(chunk_file_path(dir, id, "mirror")) ? 1 : 0;
    return n;
  }

  TestCluster cluster_;
  std::map<uint32_t, std::string> target_dir_;
  std::string dir_;
};

TEST_F(MirrorDataTest, SetPatternNeedsEnoughMirrorGroupsAndSaysHowToMakeThem) {
  auto none = cluster_.run_fsctl({"setpattern", "--type", "buddymirror", "--numtargets", "1", dir_});
  EXPECT_NE(none.exit_code, 0) << none.describe();
  EXPECT_NE(none.err.find("fsctl addmirrorgroup --automatic"), std::string::npos) << none.err;
  ASSERT_EQ(cluster_.run_fsctl_admin({"addmirrorgroup", "--automatic"}).exit_code, 0);
  auto too_many = cluster_.run_fsctl({"setpattern", "--type", "buddymirror", "--numtargets", "3", dir_});
  EXPECT_NE(too_many.exit_code, 0) << too_many.describe();
  EXPECT_NE(too_many.err.find("asks for 3 mirror groups but pool 0 has 2: use --numtargets 2"), std::string::npos)
      << too_many.err;
  auto ok = cluster_.run_fsctl({"setpattern", "--type", "buddymirror", "--numtargets", "2", dir_});
  ASSERT_EQ(ok.exit_code, 0) << ok.describe();
  auto shown = cluster_.run_fsctl({"getentryinfo", dir_});
  EXPECT_NE(shown.out.find("Stripe pattern: buddymirror"), std::string::npos) << shown.out;
}

TEST_F(MirrorDataTest, WritesReachBothCopiesIdenticallyAndUnlinkRemovesBoth) {
  make_mirrored("2");
  ASSERT_FALSE(HasFailure());
  const std::vector<uint64_t> sizes = {1, 65536 + 7, 3 * kChunk + 5, 12 * kChunk};
  std::map<std::string, std::vector<char>> written;
  for (size_t k = 0; k < sizes.size(); ++k) {
    const std::string path = dir_ + "/f" + std::to_string(k);
    written[path] = make_data(100 + k, sizes[k]);
    std::string err;
    ASSERT_TRUE(write_file(path, written[path], &err)) << path << ": " << err;
  }
  ASSERT_TRUE(cluster_.remount());  // read back from the targets, not the page cache
  std::vector<std::string> ids;
  for (const auto& [path, data] : written) {
    std::string err;
    auto back = read_file(path, &err);
    ASSERT_EQ(back.size(), data.size()) << path << ": " << err;
    EXPECT_EQ(first_difference(back, data), -1) << path;
    expect_identical_copies(path, data.size());
    ids.push_back(cluster_.entry_info(path).entry_id);
  }

  // Truncates go to both copies too.
  const std::string cut = dir_ + "/f3";
  ASSERT_EQ(::truncate(cut.c_str(), static_cast<off_t>(kChunk + 100)), 0) << std::strerror(errno);
  expect_identical_copies(cut, kChunk + 100);

  // Unlink: the removal queue asks each group's primary, which removes both.
  for (const auto& [path, data] : written) ASSERT_EQ(::unlink(path.c_str()), 0) << path;
  for (const auto& id : ids)
    EXPECT_TRUE(eventually([&] { return mirror_files(id) == 0; }, 20s)) << "chunk files of " << id << " remain";
}

TEST_F(MirrorDataTest, FlippedBytesInThePrimaryCopyReadRightAndAreRepairedFromTheSecondary) {
  auto [path, data, e, primary, secondary, before] = write_four_chunks("checkpoint", 9, 1);
  ASSERT_FALSE(HasFailure());
  std::string err;
  const uint64_t local = kChunk + 100000;  // chunk 3, file offset 3 * kChunk + 100000
  {
    std::fstream f(primary, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f) << primary;
    f.seekp(static_cast<std::streamoff>(local));
    std::string flipped = before.substr(local, 64);
    for (auto& c : flipped) c = static_cast<char>(~c);
    f.write(flipped.data(), 64);
  }
  ASSERT_FALSE(slurp(primary) == before);
  ASSERT_TRUE(cluster_.remount());  // nothing of the file left in the page cache

  auto back = read_file(path, &err);
  ASSERT_EQ(back.size(), data.size()) << err;
  EXPECT_EQ(first_difference(back, data), -1) << "the damaged bytes must never be returned";
  EXPECT_TRUE(slurp(primary) == before) << "the primary's copy is repaired from the secondary's";
  EXPECT_TRUE(slurp(secondary) == before);
  const std::string log = cluster_.log_text("stored0") + cluster_.log_text("stored1");
  // The range the read asked for (it depends on the kernel's read sizes).
  EXPECT_NE(log.find("repaired local offsets ["), std::string::npos) << log;
  EXPECT_NE(log.find("file " + e.entry_id), std::string::npos) << log;
}

TEST_F(MirrorDataTest, AChunkFileMissingOnThePrimaryIsRestoredFromTheSecondary) {
  auto [path, data, e, primary, secondary, before] = write_four_chunks("lost", 11, 0);
  ASSERT_FALSE(HasFailure());
  std::string err;
  ASSERT_TRUE(fs::remove(primary));
  ASSERT_TRUE(fs::remove(primary + ".crc"));
  // stored keeps chunk files open: restart it so it looks at the disk again.
  const std::string owner = primary.find("/stored0/") != std::string::npos ? "stored0" : "stored1";
  ASSERT_TRUE(cluster_.stop_daemon(owner));
  ASSERT_TRUE(cluster_.restart_daemon(owner));
  ASSERT_TRUE(cluster_.remount());

  auto back = read_file(path, &err);
  ASSERT_EQ(back.size(), data.size()) << err;
  EXPECT_EQ(first_difference(back, data), -1) << "the lost chunks must read right, not as zeros or EIO";
  EXPECT_TRUE(slurp(primary) == before) << "the primary's chunk file is restored from the secondary's";
  EXPECT_TRUE(slurp(primary + ".crc") == slurp(secondary + ".crc"));
  EXPECT_NE(cluster_.log_text(owner).find("restored the missing chunk file of file " + e.entry_id),
            std::string::npos)
      << cluster_.log_text(owner);
}

TEST_F(MirrorDataTest, AWriteFailsWhenTheSecondaryIsDownAndRaid0StillWorks) {
  make_mirrored("1");
  ASSERT_FALSE(HasFailure());
  // Files created now; one whose primary is on stored0 (so stored1 holds its
  // secondary) is written after stored1 is stopped.
  std::string victim;
  for (int k = 0; k < 40 && victim.empty(); ++k) {
    const std::string path = dir_ + "/v" + std::to_string(k);
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ::close(fd);
    auto e = cluster_.entry_info(path);
    ASSERT_EQ(e.targets.size(), 1u);
    if (target_dir_.at(e.targets[0]).find("/stored0/") != std::string::npos) victim = path;
  }
  ASSERT_FALSE(victim.empty()) << "no file got a group whose primary is on stored0";

  ASSERT_TRUE(cluster_.stop_daemon("stored1"));
  auto data = make_data(5, 2 * kChunk);
  int fd = ::open(victim.c_str(), O_WRONLY | O_DIRECT);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  int rc = write_fully(fd, data, 0);
  if (rc == 0) rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  EXPECT_EQ(rc, EIO) << "a write that only one copy holds must not be acknowledged";
  const std::string log = cluster_.log_text("stored0");
  EXPECT_NE(log.find("did not apply it"), std::string::npos) << log;

  // Back with both copies: the same write succeeds and the copies agree.
  ASSERT_TRUE(cluster_.restart_daemon("stored1"));
  std::string err;
  ASSERT_TRUE(write_file(victim, data, &err)) << err;
  expect_identical_copies(victim, data.size());

  // A raid0 directory beside it: chunk files under chunks/, none under mirror/.
  const std::string plain_dir = cluster_.mountpoint() + "/plain";
  ASSERT_EQ(::mkdir(plain_dir.c_str(), 0755), 0);
  const std::string plain = plain_dir + "/p";
  auto bytes = make_data(6, 3 << 20);
  ASSERT_TRUE(write_file(plain, bytes, &err)) << err;
  ASSERT_TRUE(cluster_.remount());
  auto back = read_file(plain, &err);
  EXPECT_EQ(first_difference(back, bytes), -1) << err;
  auto e = cluster_.entry_info(plain);
  EXPECT_EQ(e.pattern, "raid0");
  EXPECT_TRUE(e.mirror_groups.empty());
  ASSERT_EQ(e.targets.size(), 4u);  // 3 chunks of 1 MiB: the fourth target holds nothing
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(fs::exists(chunk_file_path(target_dir_.at(e.targets[i]), e.entry_id)));
  EXPECT_EQ(mirror_files(e.entry_id), 0u);
}

}  // namespace
}  // namespace combfs::test
