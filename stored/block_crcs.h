// The checksum sidecar of a chunk file (docs/mirroring.md "Checksums"):
// `<chunk file>.crc` holds one 4-byte little-endian entry per 64 KiB block of
// the chunk file, block k's at byte 4 * k. Block k covers local bytes
// [64 KiB * k, 64 KiB * (k + 1)) clipped to the chunk file's size, so the
// last block covers only the bytes that exist. The entry is the block's
// CRC32C xor the CRC32C of as many zero bytes (entry_of): a block of zeros
// has entry 0, so holes in a chunk file are holes in its sidecar and growing
// a file by gigabytes writes nothing. Entries past the sidecar's end read as 0.
// The sidecar has ceil(size / 64 KiB) entries while the chunk file is
// consistent; ChunkStore keeps it so.
//
// Written through the storage seam (common/env) like the chunk data, so fsync
// and the power-loss model cover it. Not thread-safe: ChunkStore serializes
// changes of one chunk file.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/checksum.h"
#include "common/env/env.h"
#include "common/status.h"

namespace combfs::stored {

class BlockCrcs {
 public:
  static std::string path_for(const std::string& chunk_path) { return chunk_path + ".crc"; }

  explicit BlockCrcs(std::unique_ptr<env::File> file) : file_(std::move(file)) {}

  // The entry of a block of `length` bytes whose CRC32C is `crc`, and back
  // (the same xor).
  static uint32_t entry_of(uint32_t crc, uint64_t length) { return crc ^ checksum::zeros_crc(length); }
  static uint32_t crc_of(uint32_t entry, uint64_t length) { return entry ^ checksum::zeros_crc(length); }

  // Entries of blocks [first, first + count); 0 past the sidecar's end.
  Result<std::vector<uint32_t>> read(uint64_t first, size_t count) const;

  // Sets the entries of blocks [first, first + entries.size()).
  Result<void> write(uint64_t first, std::span<const uint32_t> entries);

  // Makes the sidecar `blocks` entries long: drops those past it, or adds
  // entries 0 (blocks of zeros) as a hole.
  Result<void> truncate(uint64_t blocks);

  Result<void> sync() { return file_->sync(); }
  int fd() const { return file_->fd(); }
  const std::string& path() const { return file_->path(); }

 private:
  std::unique_ptr<env::File> file_;
};

}  // namespace combfs::stored
