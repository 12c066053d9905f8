// ChunkStore's data operations: write, read and truncate, each keeping the
// chunk file and its checksum sidecar in step (block_crcs.h).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/checksum.h"
#include "common/env/fd_io.h"
#include "stored/chunk_file.h"

namespace combfs::stored {
namespace {

constexpr uint64_t kBlock = checksum::kBlockSize;

uint64_t blocks_for(uint64_t size) { return (size + kBlock - 1) / kBlock; }

Status corrupt_block(const ChunkFile& f, uint64_t block, uint32_t actual, uint32_t recorded) {
  return Status(proto::STORAGE_CHECKSUM_MISMATCH,
                fmt::format("block {} (local offset {}) of '{}' has CRC32C {:08x} but its sidecar records {:08x}: "
                            "the data on disk is corrupt",
                            block, block * kBlock, f.file->path(), actual, recorded));
}

// Block `k` of a chunk file whose (logical) size is `size` > k * kBlock,
// verified against its recorded entry. Bytes past the physical end read as
// zeros: extend_crcs() may have recorded a size the data file reaches only
// with the write that follows.
Result<std::vector<char>> read_block(const ChunkFile& f, uint64_t k, uint64_t size) {
  std::vector<char> block(std::min(kBlock, size - k * kBlock));
  COMBFS_TRY(env::pread_full(f.fd, f.file->path(), k * kBlock, block));
  const uint32_t recorded = COMBFS_TRY(f.crcs->read(k, 1))[0];
  const uint32_t actual = checksum::crc32c(block);
  if (BlockCrcs::entry_of(actual, block.size()) != recorded)
    return error(corrupt_block(f, k, actual, BlockCrcs::crc_of(recorded, block.size())));
  return block;
}

// Records a chunk file growing from old_size to new_size with zeros: the old
// last block (if partial) summed again with its zero tail; the new blocks are
// zeros, entry 0, a hole in the sidecar: nothing to write however far it grows.
Result<void> extend_crcs(ChunkFile& f, uint64_t old_size, uint64_t new_size) {
  COMBFS_CHECK(f.crcs->truncate(blocks_for(old_size)));  // no stale entries left past the end
  if (old_size % kBlock != 0) {
    const uint64_t k = old_size / kBlock;
    auto block = COMBFS_TRY(read_block(f, k, old_size));
    block.resize(std::min(kBlock, new_size - k * kBlock));
    const uint32_t entry = BlockCrcs::entry_of(checksum::crc32c(block), block.size());
    COMBFS_CHECK(f.crcs->write(k, std::span<const uint32_t>(&entry, 1)));
  }
  return f.crcs->truncate(blocks_for(new_size));
}

// The sidecar entries of the blocks a write of `data` at `offset` leaves
// behind, one per piece: a piece that is its whole block (up to the new end
// of the file) takes the client's CRC; a piece that shares its block with old
// bytes is merged with them (verified first) and summed again.
Result<std::vector<uint32_t>> written_entries(const ChunkFile& f, uint64_t size, uint64_t offset,
                                              std::span<const char> data, std::span<const uint32_t> piece_crcs) {
  const uint64_t new_size = std::max(size, offset + data.size());
  const size_t n = checksum::piece_count(offset, data.size());
  std::vector<uint32_t> entries(n);
  for (size_t i = 0; i < n; ++i) {
    const auto piece = checksum::piece(offset, data.size(), i);
    const uint64_t k = piece.offset / kBlock;
    const uint64_t block_end = std::min((k + 1) * kBlock, new_size);
    if (piece.offset == k * kBlock && piece.offset + piece.length == block_end) {
      entries[i] = BlockCrcs::entry_of(piece_crcs[i], piece.length);
      continue;
    }
    std::vector<char> block;
    if (size > k * kBlock) block = COMBFS_TRY(read_block(f, k, size));
    block.resize(block_end - k * kBlock);
    std::memcpy(block.data() + (piece.offset - k * kBlock), data.data() + (piece.offset - offset), piece.length);
    entries[i] = BlockCrcs::entry_of(checksum::crc32c(block), block.size());
  }
  return entries;
}

}  // namespace

Result<void> ChunkStore::write(const Target& target, const EntryId& file, uint64_t offset,
                               std::span<const char> data) {
  auto crcs = checksum::piece_crcs(offset, data);
  return write(target, file, offset, data, crcs);
}

Result<void> ChunkStore::write(const Target& target, const EntryId& file, uint64_t offset, std::span<const char> data,
                               std::span<const uint32_t> piece_crcs) {
  auto f = COMBFS_TRY(acquire(target, file, true));
  if (data.empty()) return {};
  std::unique_lock exclusive(f->lock);
  if (!f->crcs) return f->file->write_at(offset, data);
  uint64_t size = COMBFS_TRY(env::file_size(f->fd, f->file->path()));
  if (offset > size) {
    // The gap reads as zeros: record it so (the data file grows with the write).
    COMBFS_CHECK(extend_crcs(*f, size, offset));
    size = offset;
  }
  auto entries = COMBFS_TRY(written_entries(*f, size, offset, data, piece_crcs));
  COMBFS_CHECK(f->file->write_at(offset, data));
  return f->crcs->write(offset / kBlock, entries);
}

Result<ChunkRead> ChunkStore::read(const Target& target, const EntryId& file, uint64_t offset, size_t length,
                                   std::vector<char>& out) {
  ChunkRead result;
  out.clear();
  auto f = COMBFS_TRY(acquire(target, file, false));
  if (!f) {
    result.absent = true;
    return result;
  }
  std::shared_lock shared(f->lock);
  const uint64_t size = COMBFS_TRY(env::file_size(f->fd, f->file->path()));
  const size_t n = size > offset ? static_cast<size_t>(std::min<uint64_t>(length, size - offset)) : 0;
  if (!f->crcs) {
    out.resize(n);
    out.resize(COMBFS_TRY(env::pread_full(f->fd, f->file->path(), offset, out)));
    return result;
  }
  result.checksummed = true;
  if (n == 0) return result;

  // Whole blocks, so each can be checked against its recorded CRC.
  const uint64_t lo = offset / kBlock * kBlock;
  const uint64_t hi = std::min(blocks_for(offset + n) * kBlock, size);
  out.resize(hi - lo);
  const size_t got = COMBFS_TRY(env::pread_full(f->fd, f->file->path(), lo, out));
  std::fill(out.begin() + static_cast<ptrdiff_t>(got), out.end(), 0);  // cannot be short under the lock; be safe
  const uint64_t first = lo / kBlock;
  const auto recorded = COMBFS_TRY(f->crcs->read(first, blocks_for(hi - lo)));
  std::vector<uint32_t> block_crcs(recorded.size());
  for (size_t j = 0; j < block_crcs.size(); ++j) {
    const uint64_t from = j * kBlock;
    const uint64_t len = std::min(kBlock, (hi - lo) - from);
    block_crcs[j] = checksum::crc32c(std::span<const char>(out).subspan(from, len));
    if (BlockCrcs::entry_of(block_crcs[j], len) != recorded[j]) {
      out.clear();
      return error(corrupt_block(*f, first + j, block_crcs[j], BlockCrcs::crc_of(recorded[j], len)));
    }
  }

  // The pieces of what is returned: a whole block has the CRC just checked,
  // a part of one is summed on its own.
  const size_t pieces = checksum::piece_count(offset, n);
  result.crcs.resize(pieces);
  for (size_t i = 0; i < pieces; ++i) {
    const auto piece = checksum::piece(offset, n, i);
    const uint64_t j = piece.offset / kBlock - first;
    const bool whole = piece.offset % kBlock == 0 && piece.length == std::min(kBlock, size - piece.offset);
    result.crcs[i] = whole ? block_crcs[j]
                           : checksum::crc32c(std::span<const char>(out).subspan(piece.offset - lo, piece.length));
  }
  if (offset > lo) std::memmove(out.data(), out.data() + (offset - lo), n);
  out.resize(n);
  return result;
}

Result<std::optional<ChunkStore::Region>> ChunkStore::region(const Target& target, const EntryId& file,
                                                            uint64_t offset, size_t length) {
  auto f = COMBFS_TRY(acquire(target, file, false));
  if (!f) return std::nullopt;
  std::shared_lock shared(f->lock);
  const uint64_t size = COMBFS_TRY(env::file_size(f->fd, f->file->path()));
  const size_t n = size > offset ? static_cast<size_t>(std::min<uint64_t>(length, size - offset)) : 0;
  Region region{f->fd, n, f, f->crcs != nullptr, {}};
  if (!f->crcs) return region;
  const bool whole_blocks = offset % kBlock == 0 && (n % kBlock == 0 || offset + n == size);
  if (n == 0 || !whole_blocks) return std::nullopt;
  region.crcs = COMBFS_TRY(f->crcs->read(offset / kBlock, blocks_for(n)));
  for (size_t j = 0; j < region.crcs.size(); ++j)
    region.crcs[j] = BlockCrcs::crc_of(region.crcs[j], std::min<uint64_t>(kBlock, n - j * kBlock));
  return region;
}

Result<void> ChunkStore::truncate(const Target& target, const EntryId& file, uint64_t size) {
  auto f = COMBFS_TRY(acquire(target, file, size > 0));
  if (!f) return {};  // missing and size 0: already so
  std::unique_lock exclusive(f->lock);
  if (!f->crcs) return f->file->truncate(size);
  const uint64_t old_size = COMBFS_TRY(env::file_size(f->fd, f->file->path()));
  if (size > old_size) {
    COMBFS_CHECK(extend_crcs(*f, old_size, size));
  } else if (size < old_size && size % kBlock != 0) {
    const uint64_t k = size / kBlock;
    auto block = COMBFS_TRY(read_block(*f, k, old_size));
    block.resize(size - k * kBlock);
    const uint32_t entry = BlockCrcs::entry_of(checksum::crc32c(block), block.size());
    COMBFS_CHECK(f->crcs->write(k, std::span<const uint32_t>(&entry, 1)));
  }
  COMBFS_CHECK(f->file->truncate(size));
  return f->crcs->truncate(blocks_for(size));
}

}  // namespace combfs::stored
