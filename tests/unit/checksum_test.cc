// common/checksum: the CRC32C itself (known vectors) and how data is cut
// into pieces at 64 KiB block boundaries of local offsets.
#include "common/checksum.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace combfs::checksum {
namespace {

std::span<const char> bytes(const std::string& s) { return {s.data(), s.size()}; }

std::vector<char> pattern(size_t n, uint32_t seed) {
  std::vector<char> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : v) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return v;
}

TEST(Crc32c, KnownVectors) {
  // RFC 3720 (iSCSI) B.4 and the common check value.
  EXPECT_EQ(crc32c(bytes("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c(bytes("")), 0u);
  EXPECT_EQ(crc32c(std::vector<char>(32, 0)), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::vector<char>(32, char(0xFF))), 0x62A8AB43u);
}

TEST(Crc32c, ZerosCrcIsTheCrcOfZeros) {
  for (uint64_t n : {uint64_t{1}, uint64_t{4096}, uint64_t{12345}, kBlockSize})
    EXPECT_EQ(zeros_crc(n), crc32c(std::vector<char>(n, 0))) << n;
}

TEST(Pieces, SplitAtBlockBoundariesOfLocalOffsets) {
  EXPECT_EQ(piece_count(0, 0), 0u);
  EXPECT_EQ(piece_count(0, 1), 1u);
  EXPECT_EQ(piece_count(0, kBlockSize), 1u);
  EXPECT_EQ(piece_count(0, kBlockSize + 1), 2u);
  EXPECT_EQ(piece_count(kBlockSize - 1, 2), 2u);
  EXPECT_EQ(piece_count(100, 1 << 20), 17u);  // 1 MiB unaligned: 16 blocks + a tail

  auto first = piece(100, 3 * kBlockSize, 0);
  EXPECT_EQ(first.offset, 100u);
  EXPECT_EQ(first.length, kBlockSize - 100);
  auto middle = piece(100, 3 * kBlockSize, 1);
  EXPECT_EQ(middle.offset, kBlockSize);
  EXPECT_EQ(middle.length, kBlockSize);
  auto last = piece(100, 3 * kBlockSize, 3);
  EXPECT_EQ(last.offset, 3 * kBlockSize);
  EXPECT_EQ(last.length, 100u);
}

TEST(Pieces, CrcsOfPiecesAreCrcsOfTheirBytes) {
  auto data = pattern(3 * kBlockSize, 1);
  const uint64_t at = kBlockSize / 2;
  auto crcs = piece_crcs(at, data);
  ASSERT_EQ(crcs.size(), 4u);
  std::span<const char> all(data);
  EXPECT_EQ(crcs[0], crc32c(all.subspan(0, kBlockSize / 2)));
  EXPECT_EQ(crcs[1], crc32c(all.subspan(kBlockSize / 2, kBlockSize)));
  EXPECT_EQ(crcs[3], crc32c(all.subspan(5 * kBlockSize / 2, kBlockSize / 2)));
  EXPECT_FALSE(first_mismatch(at, data, crcs));
}

TEST(Pieces, FirstMismatchFindsAFlippedByteAndAWrongCount) {
  auto data = pattern(4 * kBlockSize, 2);
  auto crcs = piece_crcs(0, data);
  auto flipped = data;
  flipped[2 * kBlockSize + 17] ^= 0x40;
  EXPECT_EQ(first_mismatch(0, flipped, crcs), std::optional<size_t>(2));

  auto fewer = crcs;
  fewer.pop_back();
  EXPECT_EQ(first_mismatch(0, data, fewer), std::optional<size_t>(3));
  auto more = crcs;
  more.push_back(0);
  EXPECT_EQ(first_mismatch(0, data, more), std::optional<size_t>(4));
  EXPECT_FALSE(first_mismatch(0, std::span<const char>(), std::span<const uint32_t>()));
}

}  // namespace
}  // namespace combfs::checksum
