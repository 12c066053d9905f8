// Pure stripe-layout math: where each byte of a file lives. No I/O.
//
// Chunk i of a file lives on target (i mod N). Each target keeps one local chunk
// file per file holding its chunks back to back, so chunk i sits at local offset
// (i / N) * chunk_size in that target's chunk file.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"

namespace combfs::striping {

inline constexpr uint32_t kMinChunkSize = 64u << 10;
inline constexpr uint32_t kMaxChunkSize = 512u << 20;
inline constexpr uint32_t kDefaultChunkSize = 1u << 20;
inline constexpr uint32_t kDefaultNumTargets = 4;

struct Pattern {
  uint32_t chunk_size = kDefaultChunkSize;
  uint32_t num_targets = kDefaultNumTargets;
};

// REQUIRES nothing. Returns INVALID_ARGUMENT unless chunk_size is a power of two in
// [64 KiB, 512 MiB] and num_targets >= 1.
Result<void> validate(const Pattern& p);

// One contiguous piece of an I/O that lies within a single chunk.
struct Piece {
  uint64_t file_offset;
  uint64_t length;
  uint64_t chunk_index;
  uint32_t target_index;  // index into the file's target list
  uint64_t local_offset;  // offset in that target's chunk file
};

// Splits [offset, offset + length) into per-chunk pieces in file order.
std::vector<Piece> split(const Pattern& p, uint64_t offset, uint64_t length);

uint32_t target_of(const Pattern& p, uint64_t file_offset);
uint64_t local_offset_of(const Pattern& p, uint64_t file_offset);

// Length of target `target_index`'s chunk file when the file is `file_size` long
// and fully written (what truncate sets each target to).
uint64_t local_size(const Pattern& p, uint32_t target_index, uint64_t file_size);

// File size implied by one target's chunk file of length `local_size`: one past
// the last byte that target holds. The file size is the max over all targets.
uint64_t file_end(const Pattern& p, uint32_t target_index, uint64_t local_size);

}  // namespace combfs::striping
