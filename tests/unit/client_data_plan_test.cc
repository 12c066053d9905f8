// client/lib/data_plan: striped I/O planning checked against a byte model of
// the file (a flat vector) and of the targets' chunk files.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "client/lib/data_plan.h"

namespace combfs::client {
namespace {

constexpr uint32_t K64 = 64u << 10;

TEST(PatternOf, RejectsLayoutsThatCannotHoldData) {
  proto::Layout l;
  l.mutable_pattern()->set_chunk_size(1 << 20);
  EXPECT_FALSE(pattern_of(l));  // no targets
  l.add_targets(1);
  l.add_targets(2);
  auto p = pattern_of(l);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->num_targets, 2u);
  EXPECT_EQ(p->chunk_size, 1u << 20);
  l.mutable_pattern()->set_chunk_size(1000);  // not a power of two
  EXPECT_FALSE(pattern_of(l));
}

TEST(PlanIo, SplitsAtChunkBoundariesInFileOrder) {
  striping::Pattern p{K64, 4};
  auto r = plan_io(p, K64 - 10, 2 * K64 + 20, K64);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0], (ChunkRequest{0, K64 - 10, 0, 10}));
  EXPECT_EQ(r[1], (ChunkRequest{1, 0, 10, K64}));
  EXPECT_EQ(r[2], (ChunkRequest{2, 0, 10 + K64, K64}));
  EXPECT_EQ(r[3], (ChunkRequest{3, 0, 10 + 2 * K64, 10}));
}

TEST(PlanIo, RequestsNeverExceedTheLimit) {
  striping::Pattern p{1u << 20, 2};
  auto r = plan_io(p, 100, 3u << 20, 256u << 10);
  uint64_t total = 0;
  for (const auto& x : r) {
    EXPECT_LE(x.length, 256u << 10);
    EXPECT_EQ(x.buf_offset, total);  // contiguous, in order
    total += x.length;
  }
  EXPECT_EQ(total, 3u << 20);
}

TEST(PlanIo, OneTargetMergesUpToTheLimit) {
  striping::Pattern p{K64, 1};
  auto r = plan_io(p, 0, 16 * K64, 1u << 20);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], (ChunkRequest{0, 0, 0, 16 * K64}));
  r = plan_io(p, 0, 20 * K64, 8 * K64);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[2].length, 4 * K64);
}

TEST(PlanIo, EmptyIoHasNoRequests) { EXPECT_TRUE(plan_io(striping::Pattern{K64, 3}, 12345, 0, K64).empty()); }

TEST(SizeFromLocalSizes, MaxFileEndOverTargets) {
  striping::Pattern p{K64, 3};
  std::vector<uint64_t> none{0, 0, 0};
  EXPECT_EQ(size_from_local_sizes(p, none), 0u);
  // Target 1 holds chunk 1 fully and 10 bytes of chunk 4.
  std::vector<uint64_t> sizes{K64, K64 + 10, K64};
  EXPECT_EQ(size_from_local_sizes(p, sizes), 4ull * K64 + 10);
  std::vector<uint64_t> only_last{0, 0, 5};
  EXPECT_EQ(size_from_local_sizes(p, only_last), 2ull * K64 + 5);
}

// Targets' chunk files plus a flat reference file, changed through the plans.
struct Model {
  striping::Pattern p;
  uint64_t max_request;
  std::vector<std::vector<char>> targets;
  std::vector<uint8_t> exists;  // whether target i has a chunk file at all
  uint64_t cover = 0;           // one writer's ChunkCover
  std::vector<char> flat;

  Model(striping::Pattern pat, uint64_t limit)
      : p(pat), max_request(limit), targets(pat.num_targets), exists(pat.num_targets) {}

  void write(uint64_t off, const std::vector<char>& data) {
    auto reqs = plan_io(p, off, data.size(), max_request);
    for (uint32_t i : chunk_files_to_create(p, cover, off + data.size(), reqs)) exists[i] = 1;
    cover = std::max<uint64_t>(cover, off + data.size());
    for (const auto& r : reqs) {
      exists[r.target_index] = 1;
      ASSERT_LE(r.length, max_request);
      auto& t = targets[r.target_index];
      if (t.size() < r.local_offset + r.length) t.resize(r.local_offset + r.length, 0);
      std::copy_n(data.begin() + r.buf_offset, r.length, t.begin() + r.local_offset);
    }
    if (flat.size() < off + data.size()) flat.resize(off + data.size(), 0);
    std::copy(data.begin(), data.end(), flat.begin() + off);
  }

  void truncate(uint64_t size) {
    for (uint32_t i = 0; i < p.num_targets; ++i) {
      targets[i].resize(striping::local_size(p, i, size), 0);
      if (!targets[i].empty()) exists[i] = 1;  // TruncateChunk creates what it gives bytes to
    }
    flat.resize(size, 0);
  }

  uint64_t size() const {
    std::vector<uint64_t> local;
    for (const auto& t : targets) local.push_back(t.size());
    return size_from_local_sizes(p, local);
  }

  // A read as DataPath does it: garbage in the buffer first, short pieces
  // where a chunk file ends, completed with the measured size.
  std::vector<char> read(uint64_t off, uint64_t len) {
    std::vector<char> buf(len, '#');
    auto reqs = plan_io(p, off, len, max_request);
    std::vector<uint64_t> got;
    std::vector<uint8_t> absent;
    bool short_piece = false;
    for (const auto& r : reqs) {
      const auto& t = targets[r.target_index];
      uint64_t n = r.local_offset >= t.size() ? 0 : std::min<uint64_t>(r.length, t.size() - r.local_offset);
      std::copy_n(t.begin() + r.local_offset, n, buf.begin() + r.buf_offset);
      got.push_back(n);
      absent.push_back(!exists[r.target_index]);
      short_piece |= n < r.length;
    }
    if (!short_piece) return buf;
    // Sparse files are legal: holes never count as missing chunk files.
    EXPECT_FALSE(first_missing_chunk(p, reqs, absent, size())) << "read at " << off << " of " << len;
    buf.resize(complete_read(buf, off, reqs, got, size()));
    return buf;
  }

  std::vector<char> expected(uint64_t off, uint64_t len) const {
    if (off >= flat.size()) return {};
    uint64_t n = std::min<uint64_t>(len, flat.size() - off);
    return std::vector<char>(flat.begin() + off, flat.begin() + off + n);
  }
};

TEST(DataPlanModel, RandomWritesTruncatesAndReadsMatchAFlatFile) {
  std::mt19937_64 rng(12345);
  for (uint32_t n : {1u, 2u, 3u, 4u, 7u}) {
    for (uint64_t limit : {uint64_t(K64), uint64_t(K64 / 4), uint64_t(1u << 20)}) {
      Model m(striping::Pattern{K64, n}, limit);
      for (int step = 0; step < 60; ++step) {
        uint64_t off = rng() % (40ull * K64);
        uint64_t len = rng() % (3ull * K64) + 1;
        int what = rng() % 10;
        if (what < 5) {
          std::vector<char> data(len);
          for (auto& c : data) c = static_cast<char>('a' + rng() % 26);
          m.write(off, data);
        } else if (what < 6) {
          m.truncate(rng() % (30ull * K64));
        } else {
          ASSERT_EQ(m.read(off, len), m.expected(off, len)) << "n=" << n << " limit=" << limit << " step=" << step;
        }
        ASSERT_EQ(m.size(), m.flat.size()) << "n=" << n << " step=" << step;
        for (uint32_t i = 0; i < n; ++i)
          if (striping::local_size(m.p, i, m.flat.size()) > 0)
            ASSERT_TRUE(m.exists[i]) << "the size requires target " << i << "'s chunk file; n=" << n << " step=" << step;
      }
      // Whole file, and a read that starts past the end.
      ASSERT_EQ(m.read(0, m.flat.size() + 100), m.flat);
      ASSERT_TRUE(m.read(m.flat.size() + 5, 100).empty());
    }
  }
}

TEST(MissingChunkRule, SequentialWritesCreateNothingExtraASparseWriteCreatesTheSkippedTargets) {
  striping::Pattern p{K64, 4};
  // Sequential: each write's own target is the only new one the size requires.
  for (uint64_t at = 0; at < 8 * K64; at += K64)
    EXPECT_TRUE(chunk_files_to_create(p, at, at + K64, plan_io(p, at, K64, K64)).empty()) << at;
  // Small file: only target 0 is required.
  EXPECT_TRUE(chunk_files_to_create(p, 0, 100, plan_io(p, 0, 100, K64)).empty());
  // A write into chunk 6 (target 2) of an empty file: targets 0, 1 and 3 hold
  // bytes below it and must exist; 2 gets the data.
  EXPECT_EQ(chunk_files_to_create(p, 0, 6 * K64 + 1, plan_io(p, 6 * K64, 1, K64)),
            (std::vector<uint32_t>{0, 1, 3}));
  // Already covered: nothing.
  EXPECT_TRUE(chunk_files_to_create(p, 8 * K64, 6 * K64 + 1, plan_io(p, 6 * K64, 1, K64)).empty());
}

TEST(MissingChunkRule, AnAbsentChunkFileIsMissingOnlyBelowItsShareOfTheSize) {
  striping::Pattern p{K64, 4};
  auto reqs = plan_io(p, 0, 4 * K64, K64);  // one request per target
  std::vector<uint8_t> absent{0, 1, 0, 0};
  EXPECT_EQ(first_missing_chunk(p, reqs, absent, 4 * K64), std::optional<size_t>(1));
  EXPECT_EQ(first_missing_chunk(p, reqs, absent, K64 + 1), std::optional<size_t>(1));
  // The size gives target 1 nothing: absent is right, not missing.
  EXPECT_FALSE(first_missing_chunk(p, reqs, absent, K64));
  // Present but short is a hole, whatever the size.
  EXPECT_FALSE(first_missing_chunk(p, reqs, std::vector<uint8_t>{0, 0, 0, 0}, 4 * K64));
}

TEST(CompleteRead, ZeroFillsHolesAndStopsAtTheEnd) {
  std::vector<ChunkRequest> reqs{{0, 0, 0, 4}, {1, 0, 4, 4}, {2, 0, 8, 4}};
  std::vector<char> buf(12, '#');
  std::fill_n(buf.begin(), 4, 'a');
  std::fill_n(buf.begin() + 8, 1, 'c');
  std::vector<uint64_t> got{4, 0, 1};
  // File is 10 bytes: the middle request is a hole, the last ends at byte 9.
  size_t n = complete_read(buf, 0, reqs, got, 10);
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(std::string(buf.data(), n), std::string("aaaa\0\0\0\0c\0", 10));
  EXPECT_EQ(complete_read(buf, 20, reqs, got, 10), 0u);
}

}  // namespace
}  // namespace combfs::client
