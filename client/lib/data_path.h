// Striped file data: each I/O is split by chunk (data_plan.h) and sent to all
// targets in parallel; every call waits for all of its requests before it
// returns, so a buffer is never touched after the call.
//
// Writes are synchronous: when write() returns, every target acknowledged its
// part (durability still needs fsync()). Calls that take `epochs` record the
// targets' write epochs in it (write_epochs.h); nullptr: not tracked.
//
// Checksums (docs/mirroring.md): writes send the CRC32C of every 64 KiB piece
// (chunk_requests.h); reads verify what comes back and fail with
// STORAGE_CHECKSUM_MISMATCH (EIO) rather than return bytes that do not match,
// and with STORAGE_CHUNK_MISSING (EIO) where a chunk file the file's size
// requires is gone (data_plan.h, the missing-chunk rule). Both are logged.
#pragma once

#include <chrono>
#include <cstdint>

#include "client/lib/chunk_cover.h"
#include "client/lib/cluster.h"
#include "client/lib/data_plan.h"
#include "client/lib/write_epochs.h"
#include "common/entry_id.h"
#include "proto/meta.pb.h"
#include "striping/striping.h"

namespace combfs::client {

class DataPath {
 public:
  // retry_window: how long an operation keeps retrying retryable errors (a
  // target restarting or failing over) before it fails.
  explicit DataPath(Cluster& cluster, std::chrono::milliseconds retry_window = std::chrono::seconds(60))
      : cluster_(cluster), retry_window_(retry_window) {}

  // Reads up to `length` bytes at `offset` into buf. Returns the number of
  // bytes read: `length` unless the read crosses the file's end (holes and
  // chunk files that end early read as zeros up to the file size).
  Result<size_t> read(const EntryId& file, const proto::Layout& layout, char* buf, size_t length, uint64_t offset);

  // Writes `length` bytes at `offset`. All or nothing from the caller's view:
  // an error means some part may not have been written. `cover` is the
  // handle's (chunk_cover.h); nullptr: assume nothing, create what the write's
  // end requires.
  Result<void> write(const EntryId& file, const proto::Layout& layout, const char* buf, size_t length,
                     uint64_t offset, WriteEpochs* epochs = nullptr, ChunkCover* cover = nullptr);

  // The end of a read at `offset` into `buf` after request i brought got[i]
  // bytes and some brought fewer than asked (absent[i]: no chunk file at
  // all): measures the file's size, fails with STORAGE_CHUNK_MISSING where
  // the missing-chunk rule says bytes are lost (a mirrored file's primary is
  // first asked to restore its copy from the secondary), and turns holes into zeros
  // (complete_read). Not logged, not retried: the caller does both.
  Result<size_t> finish_short_read(const EntryId& file, const proto::Layout& layout, std::span<char> buf,
                                   uint64_t offset, std::span<const ChunkRequest> requests,
                                   std::span<const uint64_t> got, std::span<const uint8_t> absent);

  // The file's size as the targets see it: max over targets of
  // striping::file_end(local chunk file size).
  Result<uint64_t> size(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs = nullptr);

  // Sets every target's chunk file to striping::local_size(size), so the
  // measured size afterwards is exactly `size` (holes included).
  Result<void> truncate(const EntryId& file, const proto::Layout& layout, uint64_t size);

  // Creates (empty) the chunk files that a write whose pieces are `requests`
  // and that ends at file offset `end` needs beyond what `cover` knows exist
  // (chunk_cover.h); sends nothing in the usual case. Call before the write.
  Result<void> cover_chunk_files(const EntryId& file, const proto::Layout& layout, uint64_t end,
                                 std::span<const ChunkRequest> requests, ChunkCover& cover);

  // Flushes the file's chunk files on every target to stable storage.
  Result<void> fsync(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs = nullptr);

 private:
  // Largest bulk of one request: a chunk, bounded by the frame limit.
  uint64_t max_request(const striping::Pattern& p) const;

  Result<size_t> read_once(const EntryId& file, const proto::Layout& layout, char* buf, size_t length, uint64_t offset);
  Result<void> write_once(const EntryId& file, const proto::Layout& layout, const char* buf, size_t length,
                          uint64_t offset, WriteEpochs* epochs, ChunkCover& cover);
  Result<std::vector<proto::StatChunkResponse>> stat_once(const EntryId& file, const proto::Layout& layout,
                                                          WriteEpochs* epochs);
  Result<uint64_t> size_once(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs);
  Result<void> truncate_once(const EntryId& file, const proto::Layout& layout, uint64_t size);
  Result<void> fsync_once(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs);
  template <class F>
  auto retrying(const char* what, const EntryId& file, F attempt) -> decltype(attempt());

  Cluster& cluster_;
  std::chrono::milliseconds retry_window_;
};

}  // namespace combfs::client
