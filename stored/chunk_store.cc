#include "stored/chunk_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace combfs::stored {

struct ChunkStore::File {
  explicit File(std::unique_ptr<env::File> file) : file(std::move(file)), fd(this->file->fd()) {}
  const std::unique_ptr<env::File> file;
  const int fd;  // for reads
  // Whether the directory entries leading to this file are known durable.
  // False for every freshly opened descriptor: we cannot tell whether an
  // earlier descriptor (since evicted) created the file without syncing them.
  std::atomic<bool> dirs_synced{false};
};

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

Result<std::shared_ptr<ChunkStore::File>> ChunkStore::acquire(const Target& target, const EntryId& file, bool create) {
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
  if (!*opened_file) return std::shared_ptr<File>();  // missing and !create
  auto opened = std::make_shared<File>(std::move(*opened_file));

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

Result<void> ChunkStore::write(const Target& target, const EntryId& file, uint64_t offset, std::span<const char> data) {
  auto f = COMBFS_TRY(acquire(target, file, true));
  return f->file->write_at(offset, data);
}

Result<size_t> ChunkStore::read(const Target& target, const EntryId& file, uint64_t offset, std::span<char> out) {
  auto f = COMBFS_TRY(acquire(target, file, false));
  if (!f) return size_t{0};
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(f->fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_status(
          errno, fmt::format("pread of {} bytes from '{}' at offset {}", out.size() - done, target.chunk_path(file),
                             offset + done)));
    }
    if (n == 0) break;  // end of the chunk file
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<ChunkStore::Region> ChunkStore::region(const Target& target, const EntryId& file, uint64_t offset,
                                              size_t length) {
  auto f = COMBFS_TRY(acquire(target, file, false));
  if (!f) return Region{};
  struct stat st;
  if (::fstat(f->fd, &st) != 0)
    return std::unexpected(errno_status(errno, fmt::format("fstat '{}'", target.chunk_path(file))));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const size_t n = size > offset ? static_cast<size_t>(std::min<uint64_t>(length, size - offset)) : 0;
  return Region{f->fd, n, f};
}

Result<void> ChunkStore::truncate(const Target& target, const EntryId& file, uint64_t size) {
  auto f = COMBFS_TRY(acquire(target, file, size > 0));
  if (!f) return {};  // missing and size 0: already so
  return f->file->truncate(size);
}

Result<void> ChunkStore::fsync(const Target& target, const EntryId& file) {
  auto f = COMBFS_TRY(acquire(target, file, false));
  if (!f) return {};
  COMBFS_CHECK(f->file->sync());
  if (!f->dirs_synced.load()) {
    // The file (or its bucket) may be new: make the names durable too.
    COMBFS_CHECK(env_.sync_dir(target.bucket_dir(file)));
    COMBFS_CHECK(env_.sync_dir(target.path() + "/chunks"));
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
  // Future checksum sidecars ("<chunk>.crc", see target.h) go here too.
  return env_.remove(path);
}

}  // namespace combfs::stored
