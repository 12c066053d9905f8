// End-to-end data checksums (DESIGN.md "Data integrity", docs/mirroring.md
// "Checksums"): CRC32C (Castagnoli, the iSCSI/ext4/3FS polynomial; initial
// value and final xor ~0) of the data in 64 KiB blocks.
//
// Blocks are aligned on offsets *inside a chunk file* (local offsets): block k
// holds local bytes [k * kBlockSize, (k + 1) * kBlockSize). A request that
// carries data (a write's payload, a read's answer) carries one CRC per
// *piece*: the data split at those block boundaries, so a request that starts
// or ends inside a block has a shorter first or last piece. The client and
// stored compute pieces the same way, which is what lets either side check the
// other's bytes without reading anything else.
//
// The CRC itself comes from Intel's ISA-L (libisal), which picks the fastest
// code for the CPU at run time (SSE4.2 crc32 / PCLMUL folding).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace combfs::checksum {

inline constexpr uint64_t kBlockSize = 64 * 1024;

// CRC32C of `data` ("123456789" -> 0xE3069283).
uint32_t crc32c(std::span<const char> data);

// CRC32C of `length` zero bytes (REQUIRES length <= kBlockSize): the checksum
// of a hole.
uint32_t zeros_crc(uint64_t length);

// Number of pieces of `length` bytes at local offset `offset` (0 when length is 0).
size_t piece_count(uint64_t offset, uint64_t length);

// Local offset and length of piece `index` of [offset, offset + length).
struct PieceRange {
  uint64_t offset;
  uint64_t length;
};
PieceRange piece(uint64_t offset, uint64_t length, size_t index);

// One CRC32C per piece of `data`, which sits at local offset `offset`.
std::vector<uint32_t> piece_crcs(uint64_t offset, std::span<const char> data);

// The first piece of `data` (at local offset `offset`) whose CRC is not the
// one in `crcs`, or nullopt when all match. A wrong number of CRCs counts as
// a mismatch of piece min(crcs.size(), piece_count) (the first without a CRC).
std::optional<size_t> first_mismatch(uint64_t offset, std::span<const char> data, std::span<const uint32_t> crcs);

}  // namespace combfs::checksum
