#include "common/env/fd_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace combfs::env {

Status io_status(int err, std::string_view op, const std::string& path, std::optional<uint64_t> offset) {
  bool no_space = err == ENOSPC || err == EDQUOT;
  std::string where = offset ? fmt::format(" at offset {}", *offset) : std::string();
  return Status(no_space ? proto::NO_SPACE : proto::IO_ERROR,
                fmt::format("{} '{}'{} failed: {}; {}", op, path, where, std::strerror(err),
                            no_space ? "free space (or quota) on that file system"
                                     : "check the path, its permissions and the disk (dmesg)"));
}

Result<void> pwrite_all(int fd, const std::string& path, uint64_t offset, std::span<const char> data) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_status(errno, "pwrite", path, offset));
    }
    // pwrite of a regular file returns 0 only for an empty request; a zero
    // here would loop forever, so treat it as the disk refusing more.
    if (n == 0) return std::unexpected(io_status(ENOSPC, "pwrite", path, offset));
    data = data.subspan(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return {};
}

Result<void> write_all(int fd, const std::string& path, std::span<const char> data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_status(errno, "write", path));
    }
    if (n == 0) return std::unexpected(io_status(ENOSPC, "write", path));
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

Result<size_t> pread_full(int fd, const std::string& path, uint64_t offset, std::span<char> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_status(errno, "pread", path, offset + done));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<uint64_t> file_size(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return std::unexpected(io_status(errno, "fstat", path));
  return static_cast<uint64_t>(st.st_size);
}

Result<std::optional<std::string>> read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return std::unexpected(io_status(errno, "open", path));
  }
  std::string contents;
  char buf[4096];
  for (;;) {
    auto n = pread_full(fd, path, contents.size(), buf);
    if (!n) {
      ::close(fd);
      return std::unexpected(n.error());
    }
    contents.append(buf, *n);
    if (*n < sizeof(buf)) break;
  }
  ::close(fd);
  return std::optional<std::string>(std::move(contents));
}

}  // namespace combfs::env
