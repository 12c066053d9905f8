#include "common/env/undo_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "common/env/fd_io.h"

namespace combfs::env {
namespace {

constexpr uint32_t kMagic = 0x52554643;  // "CFUR" little-endian
// magic, type, offset, old_size, length, checksum; then `length` bytes.
constexpr size_t kHeaderSize = 40;

// FNV-1a: a stable hash for log names and a checksum that tells a whole
// record from a torn one. No cryptographic strength needed.
uint64_t fnv1a(std::span<const char> bytes, uint64_t hash = 0xcbf29ce484222325ull) {
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}
template <class T>
T get(const char* in) {
  T value;
  std::memcpy(&value, in, sizeof(value));
  return value;
}

void encode(std::string& out, UndoRecord::Type type, uint64_t offset, uint64_t old_size,
            std::span<const char> bytes) {
  std::string header;
  put<uint32_t>(header, kMagic);
  put<uint32_t>(header, type);
  put<uint64_t>(header, offset);
  put<uint64_t>(header, old_size);
  put<uint64_t>(header, bytes.size());
  put<uint64_t>(header, fnv1a(bytes, fnv1a(header)));
  out += header;
  out.append(bytes.data(), bytes.size());
}

std::string undo_dir(const std::string& dir) { return dir + "/undo"; }

std::string log_file(const std::string& dir, const std::string& path) {
  return fmt::format("{}/{:016x}.log", undo_dir(dir), fnv1a(path));
}

Status log_error(const Status& status) {
  return Status(status.code(), fmt::format("power-loss model (COMBFS_POWERLOSS_DIR): cannot keep its undo log: {}",
                                           status.message()));
}

// Appends the records in `body` to the log of `path` (a normalized path),
// starting a new log with the path record. One write(2), so that only a kill
// in the middle of it can tear a record.
Result<void> append(const std::string& dir, const std::string& path, std::span<const char> body) {
  const std::string file = log_file(dir, path);
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(undo_dir(dir), ec);
    fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  }
  if (fd < 0) return std::unexpected(log_error(io_status(errno, "open", file)));
  auto size = file_size(fd, file);
  Result<void> written;
  if (!size) {
    written = std::unexpected(size.error());
  } else if (*size == 0) {
    std::string whole;
    encode(whole, UndoRecord::kPath, 0, 0, path);
    whole.append(body.data(), body.size());
    written = write_all(fd, file, whole);
  } else {
    written = write_all(fd, file, body);
  }
  ::close(fd);
  if (!written) return std::unexpected(log_error(written.error()));
  return {};
}

// Records the bytes [offset, end) that exist now, and the current size.
Result<void> record_range(const std::string& dir, const std::string& path, UndoRecord::Type type,
                          OldContents& file, uint64_t offset, uint64_t end) {
  uint64_t old_size = COMBFS_TRY(file.size());
  end = std::min(end, old_size);
  std::string old_bytes(end > offset ? end - offset : 0, '\0');
  if (!old_bytes.empty()) COMBFS_CHECK(file.read(offset, std::span<char>(old_bytes)));
  std::string body;
  encode(body, type, offset, old_size, old_bytes);
  return append(dir, path, body);
}

}  // namespace

std::string model_path(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  if (ec) return std::filesystem::path(path).lexically_normal().string();
  return absolute.lexically_normal().string();
}

std::unique_lock<std::mutex> UndoRecorder::lock(const std::string& path) {
  static std::array<std::mutex, 64> mutexes;
  return std::unique_lock(mutexes[fnv1a(model_path(path)) % mutexes.size()]);
}

Result<void> UndoRecorder::created(const std::string& path) {
  std::string body;
  encode(body, UndoRecord::kCreated, 0, 0, {});
  return append(dir_, model_path(path), body);
}

Result<void> UndoRecorder::before_write(const std::string& path, OldContents& file, uint64_t offset, uint64_t len) {
  return record_range(dir_, model_path(path), UndoRecord::kWrite, file, offset, offset + len);
}

Result<void> UndoRecorder::before_truncate(const std::string& path, OldContents& file, uint64_t new_size) {
  // Growing keeps every old byte: only the size is recorded (the range is empty).
  return record_range(dir_, model_path(path), UndoRecord::kTruncate, file, new_size, UINT64_MAX);
}

Result<void> UndoRecorder::forget(const std::string& path) {
  const std::string file = log_file(dir_, model_path(path));
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
    return std::unexpected(log_error(io_status(errno, "unlink", file)));
  }
  return {};
}

Result<std::vector<std::string>> list_undo_logs(const std::string& dir) {
  std::vector<std::string> logs;
  const std::string undo = undo_dir(dir);
  DIR* d = ::opendir(undo.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return logs;
    return std::unexpected(io_status(errno, "opendir", undo));
  }
  while (struct dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.size() > 4 && name.ends_with(".log")) logs.push_back(undo + "/" + std::string(name));
  }
  ::closedir(d);
  return logs;
}

Result<UndoLog> read_undo_log(const std::string& log_file) {
  auto contents = COMBFS_TRY(read_small_file(log_file));
  UndoLog log;
  if (!contents) return log;
  const std::string& data = *contents;
  size_t pos = 0;
  while (pos + kHeaderSize <= data.size()) {
    const char* h = data.data() + pos;
    uint64_t length = get<uint64_t>(h + 24);
    bool whole = get<uint32_t>(h) == kMagic && length <= data.size() - pos - kHeaderSize;
    if (whole) {
      uint64_t sum = fnv1a({h + kHeaderSize, length}, fnv1a({h, kHeaderSize - sizeof(uint64_t)}));
      whole = sum == get<uint64_t>(h + kHeaderSize - sizeof(uint64_t));
    }
    if (!whole) {
      // A torn record (a process killed while appending it): its change was
      // never made. A later process may have appended after it, so look for
      // the next whole record rather than stop.
      ++pos;
      ++log.torn_bytes;
      continue;
    }
    UndoRecord record{static_cast<UndoRecord::Type>(get<uint32_t>(h + 4)), get<uint64_t>(h + 8),
                      get<uint64_t>(h + 16), std::string(h + kHeaderSize, length)};
    pos += kHeaderSize + length;
    if (record.type == UndoRecord::kPath) {
      // Two processes that started the same log both wrote one; keep the first.
      if (log.path.empty()) log.path = std::move(record.old_bytes);
    } else {
      log.changes.push_back(std::move(record));
    }
  }
  log.torn_bytes += data.size() - pos;
  return log;
}

}  // namespace combfs::env
