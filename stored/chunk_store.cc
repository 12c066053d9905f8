#include "stored/chunk_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "common/env/fd_io.h"
#include "stored/chunk_file.h"

namespace combfs::stored {

namespace {

Status errno_status(int err, const std::string& what) {
  return Status(err == ENOSPC || err == EDQUOT ? proto::NO_SPACE : proto::IO_ERROR,
                fmt::format("{}: {}", what, std::strerror(err)));
}

}  // namespace

ChunkStore::ChunkStore(size_t max_open_files, env::Env& env)
    : env_(env), max_open_files_(std::max<size_t>(1, max_open_files)) {}

ChunkStore::~ChunkStore() = default;

std::mutex& ChunkStore::path_lock(const std::string& path) {
  return path_locks_[std::hash<std::string>()(path) % path_locks_.size()];
}

size_t ChunkStore::cached_files() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

Result<std::shared_ptr<ChunkFile>> ChunkStore::acquire(const Target& target, const EntryId& file, bool create) {
  const std::string path = target.chunk_path(file);
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(path); it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.file;
    }
  }

  std::lock_guard opening(path_lock(path));
  {
    // Another request may have opened it while we waited for the path lock.
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(path); it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.file;
    }
  }
  auto opened_file = env_.open(path, create);
  if (!opened_file && create && ::access(target.bucket_dir(file).c_str(), F_OK) != 0) {
    // Bucket directories are created lazily, on the first write into them.
    if (::mkdir(target.bucket_dir(file).c_str(), 0755) != 0 && errno != EEXIST)
      return std::unexpected(errno_status(errno, fmt::format("create directory '{}'", target.bucket_dir(file))));
    opened_file = env_.open(path, create);
  }
  if (!opened_file) return std::unexpected(opened_file.error());
  if (!*opened_file) return std::shared_ptr<ChunkFile>();  // missing and !create
  auto crcs = COMBFS_TRY(open_sidecar(**opened_file));
  auto& data_lock = data_locks_[std::hash<std::string>()(path) % data_locks_.size()];
  auto opened = std::make_shared<ChunkFile>(std::move(*opened_file), std::move(crcs), data_lock);

  std::lock_guard lock(mutex_);
  lru_.push_front(path);
  cache_.emplace(path, Entry{opened, lru_.begin()});
  while (cache_.size() > max_open_files_) {
    // Dropping the entry closes the fd once in-flight users release it.
    cache_.erase(lru_.back());
    lru_.pop_back();
  }
  return opened;
}

Result<std::unique_ptr<BlockCrcs>> ChunkStore::open_sidecar(env::File& chunk) {
  const std::string path = BlockCrcs::path_for(chunk.path());
  auto existing = COMBFS_TRY(env_.open(path, false));
  if (existing) return std::make_unique<BlockCrcs>(std::move(existing));
  // No sidecar: an empty chunk file (new, or cut to 0) starts one; one that
  // holds data was written before checksums existed and stays unverified.
  if (COMBFS_TRY(env::file_size(chunk.fd(), chunk.path())) > 0) return std::unique_ptr<BlockCrcs>();
  return std::make_unique<BlockCrcs>(COMBFS_TRY(env_.open(path, true)));
}

Result<void> ChunkStore::fsync(const Target& target, const EntryId& file) {
  auto f = COMBFS_TRY(acquire(target, file, false));
  if (!f) return {};
  if (f->crcs) {
    // Write the sidecar's pages out first, so that the data file's fsync
    // commits their block allocations in the same journal transaction and
    // the sidecar's own fsync below finds nothing left to flush. A hint only
    // (durability comes from the two syncs); without it the second fsync
    // doubled the cost of every FsyncChunk and TruncateChunk
    // (docs/performance.md, "The cost of end-to-end checksums").
    ::sync_file_range(f->crcs->fd(), 0, 0, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
  }
  COMBFS_CHECK(f->file->sync());
  if (f->crcs) COMBFS_CHECK(f->crcs->sync());
  if (!f->dirs_synced.load()) {
    // The file (or its bucket) may be new: make the names durable too.
    COMBFS_CHECK(env_.sync_dir(target.bucket_dir(file)));
    COMBFS_CHECK(env_.sync_dir(target.area_dir()));
    f->dirs_synced = true;
  }
  return {};
}

Result<ChunkStat> ChunkStore::stat(const Target& target, const EntryId& file) {
  const std::string path = target.chunk_path(file);
  struct stat st;
  ChunkStat result;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return result;
    return std::unexpected(errno_status(errno, fmt::format("stat '{}'", path)));
  }
  result.exists = true;
  result.size = static_cast<uint64_t>(st.st_size);
  result.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  result.checksummed = ::access(BlockCrcs::path_for(path).c_str(), F_OK) == 0;
  return result;
}

Result<bool> ChunkStore::remove(const Target& target, const EntryId& file) {
  const std::string path = target.chunk_path(file);
  std::lock_guard removing(path_lock(path));
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(path); it != cache_.end()) {
      lru_.erase(it->second.lru);
      cache_.erase(it);
    }
  }
  const bool existed = COMBFS_TRY(env_.remove(path));
  // After the data: a crash in between leaves a sidecar without data, which
  // the next RemoveChunks (metad retries until it succeeds) takes away.
  COMBFS_CHECK(env_.remove(BlockCrcs::path_for(path)));
  return existed;
}

}  // namespace combfs::stored
