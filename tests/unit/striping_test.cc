// Striping math against a brute-force model: every byte's placement, the local
// size of each target after any file size, and the file end implied by it.
#include "striping/striping.h"

#include <gtest/gtest.h>

#include <random>

namespace combfs::striping {
namespace {

// Model: byte b lives in chunk b/cs on target (b/cs)%N at local offset
// (b/cs)/N*cs + b%cs — computed byte by byte, not by the formulas under test.
struct Model {
  Pattern p;
  uint32_t target(uint64_t b) const { return (b / p.chunk_size) % p.num_targets; }
  uint64_t local(uint64_t b) const { return (b / p.chunk_size) / p.num_targets * p.chunk_size + b % p.chunk_size; }
};

const Pattern kPatterns[] = {{64 << 10, 1}, {64 << 10, 3}, {1 << 20, 4}, {1 << 20, 7}, {4 << 20, 2}, {512u << 20, 5}};

TEST(Striping, ValidateRejectsBadPatterns) {
  EXPECT_TRUE(validate({1 << 20, 4}));
  EXPECT_FALSE(validate({1 << 20, 0}));
  EXPECT_FALSE(validate({(1 << 20) + 1, 4}));   // not a power of two
  EXPECT_FALSE(validate({32 << 10, 4}));        // below 64 KiB
  EXPECT_FALSE(validate({1u << 30, 4}));        // above 512 MiB
  EXPECT_EQ(validate({3 << 20, 1}).error().code(), proto::INVALID_ARGUMENT);
}

TEST(Striping, SplitMatchesModelAtBoundaries) {
  for (const auto& p : kPatterns) {
    Model m{p};
    const uint64_t cs = p.chunk_size;
    const uint64_t offsets[] = {0, 1, cs - 1, cs, cs + 1, 3 * cs - 7, cs * p.num_targets, (1ull << 40) + 5, (1ull << 62)};
    const uint64_t lengths[] = {0, 1, cs - 1, cs, cs + 1, 5 * cs + 3};
    for (uint64_t off : offsets) {
      for (uint64_t len : lengths) {
        auto pieces = split(p, off, len);
        uint64_t pos = off, total = 0;
        for (const auto& piece : pieces) {
          EXPECT_EQ(piece.file_offset, pos);
          EXPECT_GT(piece.length, 0u);
          EXPECT_EQ(piece.chunk_index, pos / cs);
          // The whole piece is inside one chunk.
          EXPECT_EQ((pos + piece.length - 1) / cs, pos / cs);
          EXPECT_EQ(piece.target_index, m.target(pos));
          EXPECT_EQ(piece.local_offset, m.local(pos));
          EXPECT_EQ(m.local(pos + piece.length - 1), piece.local_offset + piece.length - 1);
          pos += piece.length;
          total += piece.length;
        }
        EXPECT_EQ(total, len);
      }
    }
  }
}

TEST(Striping, LocalSizeMatchesModelForManySizes) {
  std::mt19937_64 rng(7);
  for (const auto& p : {Pattern{64 << 10, 1}, Pattern{64 << 10, 3}, Pattern{64 << 10, 4}, Pattern{128 << 10, 7}}) {
    Model m{p};
    std::vector<uint64_t> sizes = {0, 1, p.chunk_size - 1, p.chunk_size, p.chunk_size + 1,
                                   uint64_t(p.chunk_size) * p.num_targets, uint64_t(p.chunk_size) * p.num_targets + 1};
    for (int i = 0; i < 40; ++i) sizes.push_back(rng() % (uint64_t(p.chunk_size) * p.num_targets * 5));
    for (uint64_t size : sizes) {
      // Model: the local size of target t is one past the highest local offset of a byte < size on t.
      std::vector<uint64_t> expect(p.num_targets, 0);
      for (uint64_t chunk = 0; chunk * p.chunk_size < size; ++chunk) {
        uint64_t last = std::min<uint64_t>(size, (chunk + 1) * p.chunk_size) - 1;
        expect[m.target(last)] = std::max(expect[m.target(last)], m.local(last) + 1);
      }
      uint64_t end = 0;
      for (uint32_t t = 0; t < p.num_targets; ++t) {
        EXPECT_EQ(local_size(p, t, size), expect[t]) << "size " << size << " target " << t;
        end = std::max(end, file_end(p, t, local_size(p, t, size)));
      }
      EXPECT_EQ(end, size) << "file size recovered from the targets' chunk files";
    }
  }
}

TEST(Striping, FileEndOfSparseChunkFiles) {
  Pattern p{1 << 20, 4};
  // Only target 2 holds data: one byte at local offset 5 MiB + 10 => chunk 5*4+2 = 22.
  EXPECT_EQ(file_end(p, 2, (5ull << 20) + 11), 22ull * (1 << 20) + 11);
  EXPECT_EQ(file_end(p, 0, 0), 0u);
  // Huge offsets do not overflow.
  uint64_t far = (1ull << 50);
  EXPECT_EQ(file_end(p, target_of(p, far), local_offset_of(p, far) + 1), far + 1);
}

}  // namespace
}  // namespace combfs::striping
