#include "common/env/posix_env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "common/env/fd_io.h"

namespace combfs::env {
namespace {

class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd) : File(std::move(path)), fd_(fd) {}
  ~PosixFile() override { ::close(fd_); }

  int fd() const override { return fd_; }

  Result<void> write_at(uint64_t offset, std::span<const char> data) override {
    return pwrite_all(fd_, path(), offset, data);
  }

  Result<void> truncate(uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return std::unexpected(io_status(errno, "ftruncate", path(), size));
    }
    return {};
  }

  Result<void> sync() override {
    if (::fsync(fd_) != 0) return std::unexpected(io_status(errno, "fsync", path()));
    return {};
  }

 private:
  const int fd_;
};

// fsync of whatever `path` names, opened read-only (fsync needs no write
// access on Linux, and a directory cannot be opened for writing).
Result<void> fsync_path(const std::string& path, int extra_flags) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | extra_flags);
  if (fd < 0) return std::unexpected(io_status(errno, "open for fsync", path));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return std::unexpected(io_status(err, "fsync", path));
  return {};
}

}  // namespace

std::string parent_dir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::unique_ptr<File>> PosixEnv::open(const std::string& path, bool create) {
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    if (errno == ENOENT && !create) return std::unique_ptr<File>();
    return std::unexpected(io_status(errno, create ? "open or create" : "open", path));
  }
  return std::make_unique<PosixFile>(path, fd);
}

Result<void> PosixEnv::sync_path(const std::string& path) { return fsync_path(path, 0); }

Result<void> PosixEnv::sync_dir(const std::string& dir) { return fsync_path(dir, O_DIRECTORY); }

Result<bool> PosixEnv::remove(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return std::unexpected(io_status(errno, "unlink", path));
}

Result<void> PosixEnv::write_file_durably(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  // O_TRUNC: a temp file left by an earlier crash holds stale bytes.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(io_status(errno, "create", tmp));
  auto written = pwrite_all(fd, tmp, 0, contents);
  if (written && ::fsync(fd) != 0) written = std::unexpected(io_status(errno, "fsync", tmp));
  ::close(fd);
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = std::unexpected(io_status(errno, fmt::format("rename to '{}' of", path), tmp));
  }
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  return sync_dir(parent_dir(path));
}

Result<std::string> PosixEnv::boot_id() {
  const std::string path = "/proc/sys/kernel/random/boot_id";
  auto contents = COMBFS_TRY(read_small_file(path));
  if (!contents) return std::unexpected(io_status(ENOENT, "read", path));
  std::string id = std::move(*contents);
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  if (id.empty()) return error(proto::IO_ERROR, fmt::format("'{}' is empty; is /proc mounted?", path));
  return id;
}

}  // namespace combfs::env
