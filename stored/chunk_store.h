// Chunk file I/O for all targets of this node, with a cache of open file
// descriptors so a stream of requests on one file does not open/close it each
// time. Every change goes through the storage seam (common/env/env.h), so a
// power-loss test can take back what was not synced; reads use the descriptor.
//
// - The cache holds at most `max_open_files` entries (LRU). An entry is a
//   shared_ptr, so an evicted descriptor is closed only when the last request
//   using it finishes; the real number of open fds can exceed the cap by the
//   number of requests in flight.
// - Concurrent requests on the same chunk file are safe: pread/pwrite at
//   disjoint ranges never interfere; overlapping writes land in some order.
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
#include <span>
#include <string>
#include <unordered_map>

#include "common/entry_id.h"
#include "common/env/env.h"
#include "common/status.h"
#include "stored/target/target.h"

namespace combfs::stored {

struct ChunkStat {
  bool exists = false;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

class ChunkStore {
 public:
  explicit ChunkStore(size_t max_open_files = 1024, env::Env& env = env::Env::get());
  ~ChunkStore();
  ChunkStore(const ChunkStore&) = delete;
  ChunkStore& operator=(const ChunkStore&) = delete;

  // Writes all of `data` at `offset`, creating the chunk file (and its bucket
  // directory) when missing. Not durable until fsync().
  Result<void> write(const Target& target, const EntryId& file, uint64_t offset, std::span<const char> data);

  // Reads up to out.size() bytes at `offset`; returns how many were read:
  // fewer at the end of the chunk file, 0 beyond it or when the file is missing.
  // Holes read as zeros.
  Result<size_t> read(const Target& target, const EntryId& file, uint64_t offset, std::span<char> out);

  // Where up to `length` bytes at `offset` are, for sending them straight
  // from the file (rpc::BulkFile): the descriptor, kept open by `keep`, and
  // how many bytes the chunk file has there (the read() rule; 0 and no
  // descriptor when the file is missing).
  struct Region {
    int fd = -1;
    size_t length = 0;
    std::shared_ptr<const void> keep;
  };
  Result<Region> region(const Target& target, const EntryId& file, uint64_t offset, size_t length);

  // Sets the chunk file's size. A missing file is created when size > 0.
  Result<void> truncate(const Target& target, const EntryId& file, uint64_t size);

  // Makes the chunk file's data and its directory entry durable. A missing
  // file is fine (nothing to sync).
  Result<void> fsync(const Target& target, const EntryId& file);

  Result<ChunkStat> stat(const Target& target, const EntryId& file);

  // Unlinks the chunk file and drops it from the cache. Returns whether it existed.
  Result<bool> remove(const Target& target, const EntryId& file);

  // Descriptors currently cached (not counting evicted ones still in use).
  size_t cached_files() const;
  size_t max_open_files() const { return max_open_files_; }

 private:
  struct File;
  struct Entry {
    std::shared_ptr<File> file;
    std::list<std::string>::iterator lru;
  };

  // The cached (or newly opened) file at `path`; nullptr when missing and !create.
  Result<std::shared_ptr<File>> acquire(const Target& target, const EntryId& file, bool create);
  std::mutex& path_lock(const std::string& path);

  env::Env& env_;
  const size_t max_open_files_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;  // GUARDED_BY(mutex_)
  std::list<std::string> lru_;                    // GUARDED_BY(mutex_), most recent first
  // Striped per-path locks: open-and-insert vs. erase-and-unlink of one path.
  std::array<std::mutex, 64> path_locks_;
};

}  // namespace combfs::stored
