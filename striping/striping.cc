#include "striping/striping.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace combfs::striping {

Result<void> validate(const Pattern& p) {
  if (!std::has_single_bit(p.chunk_size) || p.chunk_size < kMinChunkSize || p.chunk_size > kMaxChunkSize)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("chunk size {} is not a power of two between 64 KiB and 512 MiB", p.chunk_size));
  if (p.num_targets == 0) return error(proto::INVALID_ARGUMENT, "number of targets must be at least 1");
  return {};
}

uint32_t target_of(const Pattern& p, uint64_t file_offset) {
  return static_cast<uint32_t>((file_offset / p.chunk_size) % p.num_targets);
}

uint64_t local_offset_of(const Pattern& p, uint64_t file_offset) {
  uint64_t chunk = file_offset / p.chunk_size;
  return (chunk / p.num_targets) * p.chunk_size + file_offset % p.chunk_size;
}

std::vector<Piece> split(const Pattern& p, uint64_t offset, uint64_t length) {
  std::vector<Piece> pieces;
  uint64_t end = offset + length;
  while (offset < end) {
    uint64_t chunk = offset / p.chunk_size;
    uint64_t chunk_end = (chunk + 1) * p.chunk_size;
    uint64_t len = std::min(end, chunk_end) - offset;
    pieces.push_back(Piece{offset, len, chunk, target_of(p, offset), local_offset_of(p, offset)});
    offset += len;
  }
  return pieces;
}

uint64_t local_size(const Pattern& p, uint32_t target_index, uint64_t file_size) {
  if (file_size == 0) return 0;
  uint64_t last_chunk = (file_size - 1) / p.chunk_size;
  if (target_index > last_chunk) return 0;
  uint64_t rows = (last_chunk - target_index) / p.num_targets;  // this target's last chunk is row `rows`
  uint64_t chunk = rows * p.num_targets + target_index;
  if (chunk == last_chunk) return rows * p.chunk_size + (file_size - last_chunk * p.chunk_size);
  return (rows + 1) * p.chunk_size;
}

uint64_t file_end(const Pattern& p, uint32_t target_index, uint64_t local_size) {
  if (local_size == 0) return 0;
  uint64_t last = local_size - 1;
  uint64_t row = last / p.chunk_size;
  uint64_t chunk = row * p.num_targets + target_index;
  return chunk * p.chunk_size + last % p.chunk_size + 1;
}

}  // namespace combfs::striping
