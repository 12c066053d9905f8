// Chunk file I/O for all targets of this node, with a cache of open file
// descriptors so a stream of requests on one file does not open/close it each
// time. Every change goes through the storage seam (common/env/env.h), so a
// power-loss test can take back what was not synced; reads use the descriptor.
//
// Checksums (docs/mirroring.md "Checksums"): a chunk file created by this code
// has a sidecar of block CRC32Cs (block_crcs.h) that every write and truncate
// keeps up to date and every read verifies. A chunk file that already held
// data without a sidecar (written before checksums existed) is served as it
// is, unverified, and never gets one.
//
// - The cache holds at most `max_open_files` entries (LRU). An entry is a
//   shared_ptr, so an evicted descriptor is closed only when the last request
//   using it finishes; the real number of open fds can exceed the cap by the
//   number of requests in flight.
// - Concurrent requests on the same chunk file are safe: writes and truncates
//   of one chunk file run one at a time (a block's data and its CRC change
//   together), reads run together between them; overlapping writes land in
//   some order.
// - remove() and the open-and-cache step for the same path exclude each other,
//   so after remove() returns no later request can reach the unlinked inode
//   through a stale cached descriptor.
// - Errors are Status with IO_ERROR or NO_SPACE (from errno) and a message that
//   names the path, the operation and the offset; callers add the target id.
//
// Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>

#include "common/entry_id.h"
#include "common/env/env.h"
#include "common/status.h"
#include "stored/block_crcs.h"
#include "stored/target/target.h"

#include <vector>

namespace combfs::stored {

struct ChunkFile;  // chunk_file.h: one open chunk file of the cache

struct ChunkStat {
  bool exists = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool checksummed = false;  // it has a checksum sidecar (block_crcs.h)
};

// What read() found.
struct ChunkRead {
  bool absent = false;       // no chunk file at all (not the same as empty)
  bool checksummed = false;  // verified against the sidecar; `crcs` is set
  // One CRC32C per piece of the bytes returned (common/checksum.h).
  std::vector<uint32_t> crcs;
};

class ChunkStore {
 public:
  explicit ChunkStore(size_t max_open_files = 1024, env::Env& env = env::Env::get());
  ~ChunkStore();
  ChunkStore(const ChunkStore&) = delete;
  ChunkStore& operator=(const ChunkStore&) = delete;

  // Writes all of `data` at `offset`, creating the chunk file (and its bucket
  // directory) when missing; an empty `data` only creates it. `crcs` are the
  // CRC32C of data's pieces (common/checksum.h); REQUIRES: the caller checked
  // them against `data`. Updates the sidecar: whole blocks take their CRC
  // from `crcs`, a block written in part is read, verified, merged and
  // summed again. Not durable until fsync().
  // Errors: STORAGE_CHECKSUM_MISMATCH when a block written in part is corrupt
  // on disk (nothing written); IO_ERROR, NO_SPACE.
  Result<void> write(const Target& target, const EntryId& file, uint64_t offset, std::span<const char> data,
                     std::span<const uint32_t> crcs);
  // The same, with the CRCs computed here (for data this process made).
  Result<void> write(const Target& target, const EntryId& file, uint64_t offset, std::span<const char> data);

  // Reads up to `length` bytes at `offset` into `out` (resized to what was
  // read): fewer at the end of the chunk file, none beyond it or when the file
  // is missing. Holes read as zeros. With a sidecar, every 64 KiB block the
  // range touches is read whole and verified before anything is returned.
  // Errors: STORAGE_CHECKSUM_MISMATCH naming the block's local offset; IO_ERROR.
  Result<ChunkRead> read(const Target& target, const EntryId& file, uint64_t offset, size_t length,
                         std::vector<char>& out);

  // The fast way to send up to `length` bytes at `offset` straight from the
  // file (rpc::BulkFile, sendfile(2)), without reading them here: the chunk
  // file's descriptor (kept open by `keep`), how many bytes it has there, and
  // for a file with a sidecar the CRCs it records for them. Only when that
  // needs no check here: a file without a sidecar, or a range of whole 64 KiB
  // blocks (the last one may end at the end of the file). nullopt otherwise
  // (a missing file, a partial block): use read(), which checks. The bytes may change before they are
  // sent (nothing is locked then); the receiver's check catches that.
  struct Region {
    int fd = -1;
    size_t length = 0;
    std::shared_ptr<const void> keep;
    bool checksummed = false;
    std::vector<uint32_t> crcs;  // one per block, when checksummed
  };
  Result<std::optional<Region>> region(const Target& target, const EntryId& file, uint64_t offset, size_t length);

  // Sets the chunk file's size. A missing file is created when size > 0.
  // The sidecar follows: the new last block's CRC is recomputed (after
  // verifying the old block), blocks past the end are dropped, blocks added
  // by growing get the CRC of zeros. Errors: as write().
  Result<void> truncate(const Target& target, const EntryId& file, uint64_t size);

  // Makes the chunk file's data and its directory entry durable. A missing
  // file is fine (nothing to sync).
  Result<void> fsync(const Target& target, const EntryId& file);

  Result<ChunkStat> stat(const Target& target, const EntryId& file);

  // Unlinks the chunk file and its sidecar and drops them from the cache.
  // Returns whether the chunk file existed.
  Result<bool> remove(const Target& target, const EntryId& file);

  // Chunk files currently cached (each holds two descriptors with a sidecar) (not counting evicted ones still in use).
  size_t cached_files() const;
  size_t max_open_files() const { return max_open_files_; }

 private:
  struct Entry {
    std::shared_ptr<ChunkFile> file;
    std::list<std::string>::iterator lru;
  };

  // The cached (or newly opened) file at `path`; nullptr when missing and !create.
  Result<std::shared_ptr<ChunkFile>> acquire(const Target& target, const EntryId& file, bool create);
  std::mutex& path_lock(const std::string& path);
  // The sidecar of a chunk file just opened (created when the file is empty);
  // null when the file holds data written before checksums existed.
  Result<std::unique_ptr<BlockCrcs>> open_sidecar(env::File& chunk);

  env::Env& env_;
  const size_t max_open_files_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;  // GUARDED_BY(mutex_)
  std::list<std::string> lru_;                    // GUARDED_BY(mutex_), most recent first
  // Striped per-path locks: open-and-insert vs. erase-and-unlink of one path.
  std::array<std::mutex, 64> path_locks_;
  // Striped per-path locks of the data and its sidecar (ChunkFile::lock).
  std::array<std::shared_mutex, 256> data_locks_;
};

}  // namespace combfs::stored
