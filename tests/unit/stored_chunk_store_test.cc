// stored's targets and chunk store on a temp directory: data round trips,
// sparse reads, truncate/stat/remove, concurrent writers on one chunk file,
// the fd cache under more files than its cap, and the checksum sidecar kept
// in step with the data by every write and truncate and checked by reads.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "common/checksum.h"
#include "common/env/power_loss.h"
#include "stored/chunk_store.h"
#include "stored/target/target.h"
#include "stored/target/target_set.h"

namespace combfs::stored {
namespace {

namespace fs = std::filesystem;

std::vector<char> pattern(size_t n, uint32_t seed) {
  std::vector<char> v(n);
  std::mt19937 gen(seed);
  for (auto& c : v) c = static_cast<char>(gen());
  return v;
}

size_t open_fds() {
  size_t n = 0;
  for (auto& e : fs::directory_iterator("/proc/self/fd")) (void)e, ++n;
  return n;
}

class ChunkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stored_chunk_store_test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto t = Target::open((dir_ / "t1").string());
    ASSERT_TRUE(t) << t.error().to_string();
    target_ = *t;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<char> read_all(ChunkStore& store, const EntryId& file, uint64_t offset, size_t len) {
    std::vector<char> out(len, 'x');
    auto n = store.read(*target_, file, offset, len, out);
    EXPECT_TRUE(n) << n.error().to_string();
    if (n && n->checksummed) {
      // What the client checks: one CRC per 64 KiB piece of what came back.
      EXPECT_EQ(n->crcs, checksum::piece_crcs(offset, out)) << "offset " << offset << " length " << len;
    }
    return out;
  }

  // The sidecar holds exactly one CRC32C per 64 KiB block of `model`, the
  // chunk file's expected contents, little-endian.
  void expect_sidecar_matches(const EntryId& file, const std::vector<char>& model) {
    std::ifstream in(BlockCrcs::path_for(target_->chunk_path(file)), std::ios::binary);
    ASSERT_TRUE(in) << "no sidecar";
    std::vector<unsigned char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t blocks = (model.size() + checksum::kBlockSize - 1) / checksum::kBlockSize;
    ASSERT_EQ(raw.size(), blocks * 4);
    for (size_t k = 0; k < blocks; ++k) {
      const size_t from = k * checksum::kBlockSize;
      const size_t len = std::min<size_t>(checksum::kBlockSize, model.size() - from);
      // The CRC xor the CRC of as many zeros (block_crcs.h): zeros are 0.
      const uint32_t want = checksum::crc32c(std::span<const char>(model).subspan(from, len)) ^ checksum::zeros_crc(len);
      const uint32_t have = raw[4 * k] | raw[4 * k + 1] << 8 | raw[4 * k + 2] << 16 | uint32_t(raw[4 * k + 3]) << 24;
      EXPECT_EQ(have, want) << "block " << k;
    }
  }

  // Flips one byte of the chunk file behind the store's back (bit rot).
  void flip_byte(const EntryId& file, uint64_t offset) {
    std::fstream f(target_->chunk_path(file), std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5a));
  }

  fs::path dir_;
  std::shared_ptr<Target> target_;
};

TEST_F(ChunkStoreTest, TargetKeepsItsUuidAndLaysOutChunkPaths) {
  EXPECT_TRUE(fs::is_directory(dir_ / "t1" / "chunks"));
  EXPECT_EQ(target_->path(), (dir_ / "t1").string());
  auto again = Target::open((dir_ / "t1/").string());
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->uuid(), target_->uuid());
  EXPECT_FALSE(target_->uuid().empty());
  auto other = Target::open((dir_ / "t2").string());
  ASSERT_TRUE(other);
  EXPECT_NE((*other)->uuid(), target_->uuid());

  EntryId f{0x3, 0x12ab};
  EXPECT_EQ(target_->chunk_path(f), (dir_ / "t1/chunks/ab/00000003-00000000000012ab").string());
  // Chunk files of mirrored files: the same target, its mirror/ area.
  EXPECT_TRUE(fs::is_directory(dir_ / "t1" / "mirror"));
  ASSERT_TRUE(target_->mirror());
  EXPECT_EQ(target_->mirror()->chunk_path(f), (dir_ / "t1/mirror/ab/00000003-00000000000012ab").string());
  EXPECT_EQ(target_->mirror()->write_epoch(), target_->write_epoch());
  auto cap = target_->capacity();
  ASSERT_TRUE(cap) << cap.error().to_string();
  EXPECT_GT(cap->total_bytes, 0u);
  EXPECT_LE(cap->free_bytes, cap->total_bytes);
}

TEST_F(ChunkStoreTest, WriteEpochMovesOnOnlyAfterTheMachineRestarted) {
  env::PowerLossEnv disk((dir_ / "powerloss").string());
  const std::string t = (dir_ / "t3").string();
  auto first = Target::open(t, disk);
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ((*first)->write_epoch(), 1u);
  auto restarted = Target::open(t, disk);  // stored restarted, the machine did not
  ASSERT_TRUE(restarted);
  EXPECT_EQ((*restarted)->write_epoch(), 1u) << "the kernel still holds the unsynced writes";

  ChunkStore store(16, disk);
  EntryId f{1, 2};
  auto data = pattern(4096, 1);
  ASSERT_TRUE(store.write(**restarted, f, 0, data));
  auto lost = env::simulate_power_loss((dir_ / "powerloss").string());
  ASSERT_TRUE(lost) << lost.error().to_string();
  EXPECT_EQ(lost->files_removed, 2u) << "the unsynced chunk file and its checksum sidecar are gone";
  EXPECT_FALSE(fs::exists((**restarted).chunk_path(f)));

  auto after = Target::open(t, disk);
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ((*after)->write_epoch(), 2u) << "clients must learn that unsynced writes may be gone";
  EXPECT_EQ((*after)->uuid(), (*first)->uuid()) << "the uuid was written durably";
  ASSERT_TRUE(env::simulate_power_loss((dir_ / "powerloss").string()));
  auto again = Target::open(t, disk);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->write_epoch(), 3u) << "the epoch was recorded durably, so it never comes back";
}

TEST_F(ChunkStoreTest, FsyncedChunksSurviveAPowerLoss) {
  env::PowerLossEnv disk((dir_ / "powerloss").string());
  auto t = Target::open((dir_ / "t4").string(), disk);
  ASSERT_TRUE(t);
  ChunkStore store(16, disk);
  EntryId synced{1, 3}, unsynced{1, 4};
  auto a = pattern(100000, 2), b = pattern(5000, 3);
  ASSERT_TRUE(store.write(**t, synced, 0, a));
  ASSERT_TRUE(store.fsync(**t, synced));
  ASSERT_TRUE(store.write(**t, synced, 100000, b));  // after the fsync: may be lost
  ASSERT_TRUE(store.truncate(**t, unsynced, 4096));
  ASSERT_TRUE(env::simulate_power_loss((dir_ / "powerloss").string()));
  ChunkStore fresh(16, disk);
  std::vector<char> back;
  auto n = fresh.read(**t, synced, 0, 200000, back);
  ASSERT_TRUE(n) << n.error().to_string() << ": the sidecar must come back to the synced state with the data";
  EXPECT_TRUE(n->checksummed);
  EXPECT_EQ(back, a) << "the fsynced bytes, and not the write after the fsync";
  EXPECT_FALSE(fs::exists((**t).chunk_path(unsynced)));
}

TEST_F(ChunkStoreTest, TargetSetRejectsDuplicatesAndNamesItsTargets) {
  TargetSet set;
  ASSERT_TRUE(set.add(target_));
  auto dup = set.add(*Target::open(target_->path()));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), proto::INVALID_ARGUMENT);
  auto before = set.find(1);
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code(), proto::UNAVAILABLE);
  ASSERT_TRUE(set.assign_ids({7}));
  ASSERT_TRUE(set.find(7));
  EXPECT_EQ((*set.find(7))->path(), target_->path());
  auto unknown = set.find(8);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), proto::STORAGE_UNKNOWN_TARGET);
  EXPECT_NE(unknown.error().message().find("target 8"), std::string::npos) << unknown.error().message();
  EXPECT_NE(unknown.error().message().find("7 (" + target_->path() + ")"), std::string::npos)
      << unknown.error().message();
  EXPECT_FALSE(set.assign_ids({1, 2}));
}

TEST_F(ChunkStoreTest, WriteReadRoundTripAndShortReadAtEnd) {
  ChunkStore store;
  EntryId f{1, 42};
  auto data = pattern(100000, 1);
  ASSERT_TRUE(store.write(*target_, f, 0, data));
  EXPECT_TRUE(fs::exists(target_->chunk_path(f)));
  EXPECT_EQ(read_all(store, f, 0, data.size()), data);
  // Reading past the end returns what is there.
  auto tail = read_all(store, f, 99000, 5000);
  EXPECT_EQ(tail, std::vector<char>(data.begin() + 99000, data.end()));
  EXPECT_TRUE(read_all(store, f, 200000, 10).empty());
  // Overwrite in the middle.
  auto patch = pattern(1000, 2);
  ASSERT_TRUE(store.write(*target_, f, 5000, patch));
  std::copy(patch.begin(), patch.end(), data.begin() + 5000);
  EXPECT_EQ(read_all(store, f, 0, data.size()), data);
}

TEST_F(ChunkStoreTest, MissingFileReadsEmptyAndHolesReadAsZeros) {
  ChunkStore store;
  EntryId missing{1, 7};
  EXPECT_TRUE(read_all(store, missing, 0, 4096).empty());
  EXPECT_FALSE(fs::exists(target_->chunk_path(missing)));  // a read creates nothing

  EntryId sparse{1, 8};
  auto data = pattern(4096, 3);
  ASSERT_TRUE(store.write(*target_, sparse, 1 << 20, data));
  auto all = read_all(store, sparse, 0, (1 << 20) + 4096);
  ASSERT_EQ(all.size(), (1u << 20) + 4096);
  EXPECT_TRUE(std::all_of(all.begin(), all.begin() + (1 << 20), [](char c) { return c == 0; }));
  EXPECT_TRUE(std::equal(data.begin(), data.end(), all.begin() + (1 << 20)));
}

TEST_F(ChunkStoreTest, TruncateStatAndFsync) {
  ChunkStore store;
  EntryId f{2, 0x100};
  auto st = store.stat(*target_, f);
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->exists);

  // Truncating a missing file to 0 creates nothing; to a size creates it.
  ASSERT_TRUE(store.truncate(*target_, f, 0));
  EXPECT_FALSE(fs::exists(target_->chunk_path(f)));
  ASSERT_TRUE(store.truncate(*target_, f, 5000));
  st = store.stat(*target_, f);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->exists);
  EXPECT_EQ(st->size, 5000u);
  EXPECT_GT(st->mtime_ns, 0);
  EXPECT_EQ(read_all(store, f, 0, 6000), std::vector<char>(5000, 0));

  auto data = pattern(3000, 4);
  ASSERT_TRUE(store.write(*target_, f, 0, data));
  ASSERT_TRUE(store.truncate(*target_, f, 1000));
  EXPECT_EQ(store.stat(*target_, f)->size, 1000u);
  EXPECT_EQ(read_all(store, f, 0, 3000), std::vector<char>(data.begin(), data.begin() + 1000));
  // Growing again exposes zeros, not the old bytes.
  ASSERT_TRUE(store.truncate(*target_, f, 2000));
  auto grown = read_all(store, f, 1000, 1000);
  EXPECT_EQ(grown, std::vector<char>(1000, 0));

  EXPECT_TRUE(store.fsync(*target_, f));
  EXPECT_TRUE(store.fsync(*target_, f));  // second time: no directory sync needed, still fine
  EXPECT_TRUE(store.fsync(*target_, EntryId{2, 0x999}));  // missing: nothing to sync
}

TEST_F(ChunkStoreTest, RemoveUnlinksAndForgetsTheDescriptor) {
  ChunkStore store;
  EntryId f{3, 1};
  ASSERT_TRUE(store.write(*target_, f, 0, pattern(100, 5)));
  EXPECT_EQ(store.cached_files(), 1u);
  auto removed = store.remove(*target_, f);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_EQ(store.cached_files(), 0u);
  EXPECT_FALSE(fs::exists(target_->chunk_path(f)));
  removed = store.remove(*target_, f);
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);
  // A write after remove starts a new file; it does not reach the unlinked inode.
  auto fresh = pattern(10, 6);
  ASSERT_TRUE(store.write(*target_, f, 0, fresh));
  EXPECT_EQ(fs::file_size(target_->chunk_path(f)), 10u);
  EXPECT_EQ(read_all(store, f, 0, 100), fresh);
}

TEST_F(ChunkStoreTest, ConcurrentWritersAtDisjointOffsetsGiveExactContent) {
  ChunkStore store;
  EntryId f{4, 77};
  constexpr int kThreads = 8;
  constexpr int kBlocksPerThread = 64;
  constexpr size_t kBlock = 8192;
  // Thread t writes blocks t, t+8, t+16, ... so writes interleave across the file.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBlocksPerThread; ++i) {
        size_t block = static_cast<size_t>(i) * kThreads + t;
        auto data = pattern(kBlock, static_cast<uint32_t>(block));
        if (!store.write(*target_, f, block * kBlock, data)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = read_all(store, f, 0, kThreads * kBlocksPerThread * kBlock);
  ASSERT_EQ(all.size(), kThreads * kBlocksPerThread * kBlock);
  for (size_t block = 0; block < kThreads * kBlocksPerThread; ++block) {
    auto want = pattern(kBlock, static_cast<uint32_t>(block));
    ASSERT_TRUE(std::equal(want.begin(), want.end(), all.begin() + block * kBlock)) << "block " << block;
  }
}

TEST_F(ChunkStoreTest, FdCacheStaysUnderItsCapWithManyFiles) {
  constexpr size_t kCap = 8;
  constexpr int kFiles = 100;
  size_t fds_before = open_fds();
  {
    ChunkStore store(kCap);
    for (int i = 0; i < kFiles; ++i) {
      ASSERT_TRUE(store.write(*target_, EntryId{5, static_cast<uint64_t>(i)}, 0, pattern(512, i)));
      EXPECT_LE(store.cached_files(), kCap);
      EXPECT_LE(open_fds(), fds_before + 2 * kCap);  // a chunk file and its sidecar
    }
    EXPECT_EQ(store.cached_files(), kCap);
    // Evicted files reopen on demand with their data intact.
    for (int i = 0; i < kFiles; ++i)
      EXPECT_EQ(read_all(store, EntryId{5, static_cast<uint64_t>(i)}, 0, 512), pattern(512, i)) << "file " << i;
  }
  EXPECT_EQ(open_fds(), fds_before);  // the store closes everything it opened
}

TEST_F(ChunkStoreTest, EvictionWhileInUseNeverBreaksARequest) {
  // A tiny cache and many threads over many files: descriptors are evicted
  // while other threads are still writing through them. A descriptor closed too
  // early would fail a write (EBADF) or, reused, put bytes into another file.
  ChunkStore store(2);
  constexpr int kThreads = 6;
  constexpr int kFiles = 12;
  constexpr int kBlocks = 16;
  constexpr size_t kBlock = 4096;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kBlocks; ++round)
        for (int file = 0; file < kFiles; ++file) {
          if ((file + round) % kThreads != t) continue;  // each (file, block) written by exactly one thread
          auto data = pattern(kBlock, file * 1000 + round);
          if (!store.write(*target_, EntryId{6, static_cast<uint64_t>(file)}, round * kBlock, data)) ++failures;
        }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int file = 0; file < kFiles; ++file) {
    auto all = read_all(store, EntryId{6, static_cast<uint64_t>(file)}, 0, kBlocks * kBlock);
    ASSERT_EQ(all.size(), kBlocks * kBlock) << "file " << file;
    for (int round = 0; round < kBlocks; ++round) {
      auto want = pattern(kBlock, file * 1000 + round);
      ASSERT_TRUE(std::equal(want.begin(), want.end(), all.begin() + round * kBlock))
          << "file " << file << " block " << round;
    }
  }
  EXPECT_LE(store.cached_files(), 2u);
}

constexpr size_t kB = checksum::kBlockSize;

TEST_F(ChunkStoreTest, SidecarHoldsOneCrcPerBlockThroughPartialWrites) {
  ChunkStore store;
  EntryId f{8, 1};
  auto model = pattern(3 * kB + kB / 2, 10);
  ASSERT_TRUE(store.write(*target_, f, 0, model));
  expect_sidecar_matches(f, model);
  // Inside one block, across a block boundary, and growing the last block.
  for (auto [at, len] : {std::pair<size_t, size_t>{100, 50}, {kB - 10, 30}, {3 * kB + kB / 2 - 5, 1000}}) {
    auto patch = pattern(len, static_cast<uint32_t>(at));
    ASSERT_TRUE(store.write(*target_, f, at, patch));
    if (model.size() < at + len) model.resize(at + len);
    std::copy(patch.begin(), patch.end(), model.begin() + static_cast<ptrdiff_t>(at));
    expect_sidecar_matches(f, model);
  }
  EXPECT_EQ(read_all(store, f, 0, model.size()), model);
  // Unaligned reads come back with CRCs of their own pieces (checked in read_all).
  EXPECT_EQ(read_all(store, f, kB / 3, kB), std::vector<char>(model.begin() + kB / 3, model.begin() + kB / 3 + kB));
  EXPECT_TRUE(store.stat(*target_, f)->checksummed);
}

TEST_F(ChunkStoreTest, WritesPastTheEndRecordTheHoleAsZeros) {
  ChunkStore store;
  EntryId f{8, 2};
  std::vector<char> model = pattern(1000, 11);
  ASSERT_TRUE(store.write(*target_, f, 0, model));
  auto far = pattern(500, 12);
  const size_t at = 2 * kB + 300;  // skips the rest of block 0, all of block 1
  ASSERT_TRUE(store.write(*target_, f, at, far));
  model.resize(at);
  model.insert(model.end(), far.begin(), far.end());
  expect_sidecar_matches(f, model);
  EXPECT_EQ(read_all(store, f, 0, model.size()), model);
}

TEST_F(ChunkStoreTest, GrowingByATerabyteWritesAlmostNothingToTheSidecar) {
  ChunkStore store;
  EntryId f{8, 8};
  const uint64_t far = (1ull << 40) + 12345;
  ASSERT_TRUE(store.write(*target_, f, 0, pattern(1000, 21)));
  ASSERT_TRUE(store.write(*target_, f, far, pattern(10, 22)));
  ASSERT_TRUE(store.truncate(*target_, EntryId{8, 9}, 1ull << 40));
  struct stat st;
  const std::string sidecar = BlockCrcs::path_for(target_->chunk_path(f));
  ASSERT_EQ(::stat(sidecar.c_str(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), (far + 10 + kB - 1) / kB * 4);
  EXPECT_LT(st.st_blocks * 512, 1 << 20) << "the hole in the file is a hole in the sidecar";
  // The hole reads as verified zeros; the far bytes and the old ones are there.
  EXPECT_EQ(read_all(store, f, 1ull << 39, 3 * kB), std::vector<char>(3 * kB, 0));
  EXPECT_EQ(read_all(store, f, far, 10), pattern(10, 22));
  EXPECT_EQ(read_all(store, f, 0, 1000), pattern(1000, 21));
  EXPECT_EQ(read_all(store, EntryId{8, 9}, (1ull << 40) - 100, 1000), std::vector<char>(100, 0));
}

TEST_F(ChunkStoreTest, TruncateKeepsTheSidecarInStep) {
  ChunkStore store;
  EntryId f{8, 3};
  auto model = pattern(4 * kB, 13);
  ASSERT_TRUE(store.write(*target_, f, 0, model));
  for (size_t size : {size_t{2 * kB + 123}, size_t{2 * kB}, size_t{5 * kB + 7}, size_t{10}, size_t{0}, size_t{kB + 1}}) {
    ASSERT_TRUE(store.truncate(*target_, f, size)) << size;
    model.resize(size);  // growing adds zeros
    expect_sidecar_matches(f, model);
    EXPECT_EQ(read_all(store, f, 0, 8 * kB), model) << size;
  }
}

TEST_F(ChunkStoreTest, FlippedBytesOnDiskFailTheReadOfTheirBlockOnly) {
  ChunkStore store;
  EntryId f{8, 4};
  auto model = pattern(4 * kB, 14);
  ASSERT_TRUE(store.write(*target_, f, 0, model));
  flip_byte(f, 2 * kB + 100);

  std::vector<char> out;
  auto bad = store.read(*target_, f, 2 * kB + 5000, 10, out);  // a few bytes of the bad block
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), proto::STORAGE_CHECKSUM_MISMATCH);
  EXPECT_NE(bad.error().message().find("local offset " + std::to_string(2 * kB)), std::string::npos)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find(target_->chunk_path(f)), std::string::npos) << bad.error().message();
  EXPECT_TRUE(out.empty()) << "no byte of a failed read is handed out";
  ASSERT_FALSE(store.read(*target_, f, 0, 4 * kB, out)) << "a read that covers it fails whole";
  EXPECT_EQ(read_all(store, f, 0, 2 * kB), std::vector<char>(model.begin(), model.begin() + 2 * kB));
  EXPECT_EQ(read_all(store, f, 3 * kB, kB), std::vector<char>(model.begin() + 3 * kB, model.end()));

  // A write of part of the bad block would bless the damage: refused.
  auto part = store.write(*target_, f, 2 * kB + 10, pattern(10, 15));
  ASSERT_FALSE(part);
  EXPECT_EQ(part.error().code(), proto::STORAGE_CHECKSUM_MISMATCH);
  // A write of the whole block replaces it.
  auto whole = pattern(kB, 16);
  ASSERT_TRUE(store.write(*target_, f, 2 * kB, whole));
  std::copy(whole.begin(), whole.end(), model.begin() + 2 * kB);
  EXPECT_EQ(read_all(store, f, 0, 4 * kB), model);
}

TEST_F(ChunkStoreTest, RegionsOfWholeBlocksCarryTheRecordedCrcsAndNothingElseQualifies) {
  ChunkStore store;
  EntryId f{8, 7};
  auto model = pattern(3 * kB + 100, 20);
  ASSERT_TRUE(store.write(*target_, f, 0, model));
  auto whole = store.region(*target_, f, kB, 4 * kB);  // blocks 1, 2 and the 100-byte tail
  ASSERT_TRUE(whole) << whole.error().to_string();
  ASSERT_TRUE(*whole);
  EXPECT_GE((*whole)->fd, 0);
  EXPECT_EQ((*whole)->length, 2 * kB + 100);
  EXPECT_TRUE((*whole)->checksummed);
  EXPECT_EQ((*whole)->crcs, checksum::piece_crcs(kB, std::span<const char>(model).subspan(kB)));
  // Not from a block boundary, or ending inside a block: stored must check.
  EXPECT_FALSE(*store.region(*target_, f, 100, kB));
  EXPECT_FALSE(*store.region(*target_, f, 0, kB + 5));
  EXPECT_FALSE(*store.region(*target_, EntryId{8, 70}, 0, kB)) << "a missing file: read() tells absent";
  // Damage is not its business: the bytes go unread, the receiver checks.
  flip_byte(f, 10);
  auto damaged = store.region(*target_, f, 0, kB);
  ASSERT_TRUE(damaged && *damaged);
  EXPECT_EQ((*damaged)->crcs[0], checksum::crc32c(std::span<const char>(model).subspan(0, kB)));
  flip_byte(f, 10);
}

TEST_F(ChunkStoreTest, ChunkFilesWrittenBeforeChecksumsReadUnverified) {
  ChunkStore store;
  EntryId f{8, 5};
  fs::create_directories(target_->bucket_dir(f));
  auto old = pattern(100000, 17);
  {
    std::ofstream out(target_->chunk_path(f), std::ios::binary);
    out.write(old.data(), static_cast<std::streamsize>(old.size()));
  }
  std::vector<char> back;
  auto r = store.read(*target_, f, 0, old.size(), back);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->checksummed);
  EXPECT_TRUE(r->crcs.empty());
  EXPECT_EQ(back, old);
  auto region = store.region(*target_, f, 100, kB);
  ASSERT_TRUE(region && *region) << "sent as it is";
  EXPECT_FALSE((*region)->checksummed);
  EXPECT_EQ((*region)->length, kB);
  // Writes and truncates work and do not start a sidecar that would cover
  // only part of the file.
  ASSERT_TRUE(store.write(*target_, f, 50, pattern(100, 18)));
  ASSERT_TRUE(store.truncate(*target_, f, 70000));
  EXPECT_FALSE(fs::exists(BlockCrcs::path_for(target_->chunk_path(f))));
  EXPECT_FALSE(store.stat(*target_, f)->checksummed);
}

TEST_F(ChunkStoreTest, AbsentIsToldApartFromEmptyAndRemoveTakesTheSidecar) {
  ChunkStore store;
  EntryId f{8, 6};
  std::vector<char> out;
  auto r = store.read(*target_, f, 0, 100, out);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->absent);
  ASSERT_TRUE(store.write(*target_, f, 0, std::span<const char>()));  // creates it, empty
  r = store.read(*target_, f, 0, 100, out);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->absent);
  EXPECT_TRUE(r->checksummed);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(store.write(*target_, f, 0, pattern(10, 19)));
  const std::string sidecar = BlockCrcs::path_for(target_->chunk_path(f));
  EXPECT_TRUE(fs::exists(sidecar));
  ASSERT_TRUE(store.remove(*target_, f));
  EXPECT_FALSE(fs::exists(sidecar));
}

TEST_F(ChunkStoreTest, WriteErrorsNameThePathAndOffset) {
  // A file size limit makes pwrite fail (EFBIG) without needing a full disk.
  ChunkStore store;
  EntryId f{7, 1};
  struct rlimit old;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 1 << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto r = store.write(*target_, f, 2 << 20, pattern(100, 7));
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::IO_ERROR);
  EXPECT_NE(r.error().message().find(target_->chunk_path(f)), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("offset 2097152"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace combfs::stored
