#include "common/checksum.h"

#include <isa-l/crc.h>

#include <algorithm>
#include <array>
#include <climits>

namespace combfs::checksum {

uint32_t crc32c(std::span<const char> data) {
  // ISA-L's crc32_iscsi takes and returns the register without the final
  // inversion: seeding with ~0 and inverting the result gives standard CRC32C.
  // Its length is an int: feed large buffers in slices.
  uint32_t crc = 0xFFFFFFFFu;
  auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(data.data()));
  size_t left = data.size();
  while (left > 0) {
    const int n = static_cast<int>(std::min<size_t>(left, INT_MAX / 2));
    crc = crc32_iscsi(p, n, crc);
    p += n;
    left -= static_cast<size_t>(n);
  }
  return ~crc;
}

uint32_t zeros_crc(uint64_t length) {
  static const std::array<char, kBlockSize> zeros{};
  static const uint32_t whole_block = crc32c(zeros);  // the common case, summed once
  if (length >= kBlockSize) return whole_block;
  return crc32c(std::span<const char>(zeros.data(), length));
}

size_t piece_count(uint64_t offset, uint64_t length) {
  if (length == 0) return 0;
  return static_cast<size_t>((offset + length - 1) / kBlockSize - offset / kBlockSize + 1);
}

PieceRange piece(uint64_t offset, uint64_t length, size_t index) {
  const uint64_t block = offset / kBlockSize + index;
  const uint64_t from = std::max(offset, block * kBlockSize);
  const uint64_t to = std::min(offset + length, (block + 1) * kBlockSize);
  return {from, to - from};
}

std::vector<uint32_t> piece_crcs(uint64_t offset, std::span<const char> data) {
  const size_t n = piece_count(offset, data.size());
  std::vector<uint32_t> crcs(n);
  for (size_t i = 0; i < n; ++i) {
    const PieceRange r = piece(offset, data.size(), i);
    crcs[i] = crc32c(data.subspan(r.offset - offset, r.length));
  }
  return crcs;
}

std::optional<size_t> first_mismatch(uint64_t offset, std::span<const char> data, std::span<const uint32_t> crcs) {
  const size_t n = piece_count(offset, data.size());
  for (size_t i = 0; i < n; ++i) {
    if (i >= crcs.size()) return i;
    const PieceRange r = piece(offset, data.size(), i);
    if (crc32c(data.subspan(r.offset - offset, r.length)) != crcs[i]) return i;
  }
  if (crcs.size() > n) return n;
  return std::nullopt;
}

}  // namespace combfs::checksum
