#include "common/env/power_loss.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "common/env/crash_point.h"
#include "common/env/fd_io.h"

namespace combfs::env {
namespace {

class FdContents final : public OldContents {
 public:
  FdContents(int fd, const std::string& path) : fd_(fd), path_(path) {}
  Result<uint64_t> size() override { return file_size(fd_, path_); }
  Result<void> read(uint64_t offset, std::span<char> out) override {
    size_t n = COMBFS_TRY(pread_full(fd_, path_, offset, out));
    if (n != out.size()) {
      return error(proto::IO_ERROR, fmt::format("'{}' shrank at offset {} while its undo record was taken; "
                                                "only this process may change it", path_, offset + n));
    }
    return {};
  }

 private:
  const int fd_;
  const std::string& path_;
};

// A real file whose every change is first recorded.
class PowerLossFile final : public File {
 public:
  PowerLossFile(std::unique_ptr<File> inner, UndoRecorder& recorder)
      : File(inner->path()), inner_(std::move(inner)), recorder_(recorder) {}

  int fd() const override { return inner_->fd(); }

  Result<void> write_at(uint64_t offset, std::span<const char> data) override {
    crash_point("write", path());
    auto lock = UndoRecorder::lock(path());
    FdContents old(fd(), path());
    COMBFS_CHECK(recorder_.before_write(path(), old, offset, data.size()));
    return inner_->write_at(offset, data);
  }

  Result<void> truncate(uint64_t size) override {
    crash_point("truncate", path());
    auto lock = UndoRecorder::lock(path());
    FdContents old(fd(), path());
    COMBFS_CHECK(recorder_.before_truncate(path(), old, size));
    return inner_->truncate(size);
  }

  Result<void> sync() override {
    crash_point("sync", path());
    // Under the lock: a write between the fsync and the forget would lose
    // its undo record while its bytes were never synced.
    auto lock = UndoRecorder::lock(path());
    COMBFS_CHECK(inner_->sync());
    return recorder_.forget(path());
  }

 private:
  std::unique_ptr<File> inner_;
  UndoRecorder& recorder_;
};

std::string random_boot_id() {
  std::random_device random;
  std::uniform_int_distribution<uint64_t> dist;
  return fmt::format("{:016x}{:016x}", dist(random), dist(random));
}

Result<void> write_boot_id(const std::string& dir, bool replace) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = dir + "/boot_id";
  const std::string tmp = fmt::format("{}.{}.tmp", path, ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(io_status(errno, "create", tmp));
  auto written = write_all(fd, tmp, random_boot_id() + "\n");
  ::close(fd);
  if (written) {
    // link() creates only if missing, so processes starting together agree
    // on one id; rename() replaces it.
    int rc = replace ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
    if (rc != 0 && !(errno == EEXIST && !replace)) written = std::unexpected(io_status(errno, "install", path));
  }
  ::unlink(tmp.c_str());
  return written;
}

// Rolls one file back; counts what it did in `report`.
Result<void> undo(const UndoLog& log, PowerLossReport& report) {
  int fd = ::open(log.path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    // Removed (durably, in this model) after its last record, or killed
    // between a "created" record and the creation.
    if (errno == ENOENT) return {};
    return std::unexpected(io_status(errno, "open to undo unsynced changes of", log.path));
  }
  Result<void> done;
  bool removed = false;
  for (auto it = log.changes.rbegin(); done && it != log.changes.rend(); ++it) {
    if (it->type == UndoRecord::kCreated) {
      // Older records, if any, belong to a removed earlier file of that name.
      if (::unlink(log.path.c_str()) != 0 && errno != ENOENT) {
        done = std::unexpected(io_status(errno, "unlink unsynced new file", log.path));
      }
      removed = true;
      break;
    }
    done = pwrite_all(fd, log.path, it->offset, it->old_bytes);
    if (done && ::ftruncate(fd, static_cast<off_t>(it->old_size)) != 0) {
      done = std::unexpected(io_status(errno, "ftruncate to undo a change of", log.path, it->old_size));
    }
    report.bytes_restored += it->old_bytes.size();
  }
  ::close(fd);
  if (!done) return done;
  ++(removed ? report.files_removed : report.files_restored);
  return {};
}

}  // namespace

Result<std::unique_ptr<File>> PowerLossEnv::open(const std::string& path, bool create) {
  if (!create) {
    auto file = COMBFS_TRY(base_.open(path, false));
    if (!file) return std::unique_ptr<File>();
    return std::unique_ptr<File>(std::make_unique<PowerLossFile>(std::move(file), recorder_));
  }
  auto lock = UndoRecorder::lock(path);
  bool creating = ::access(path.c_str(), F_OK) != 0 && errno == ENOENT;
  if (creating) {
    crash_point("create", path);
    COMBFS_CHECK(recorder_.created(path));
  }
  auto file = base_.open(path, true);
  if (!file) {
    // The file does not exist, so there is nothing for a log to undo.
    if (creating) (void)recorder_.forget(path);
    return std::unexpected(file.error());
  }
  return std::unique_ptr<File>(std::make_unique<PowerLossFile>(std::move(*file), recorder_));
}

Result<void> PowerLossEnv::sync_path(const std::string& path) {
  crash_point("sync_path", path);
  auto lock = UndoRecorder::lock(path);
  COMBFS_CHECK(base_.sync_path(path));
  return recorder_.forget(path);
}

Result<void> PowerLossEnv::sync_dir(const std::string& dir) {
  crash_point("sync_dir", dir);
  return base_.sync_dir(dir);
}

Result<bool> PowerLossEnv::remove(const std::string& path) {
  crash_point("remove", path);
  auto lock = UndoRecorder::lock(path);
  bool existed = COMBFS_TRY(base_.remove(path));
  COMBFS_CHECK(recorder_.forget(path));
  return existed;
}

Result<void> PowerLossEnv::write_file_durably(const std::string& path, const std::string& contents) {
  crash_point("write_file_durably", path);
  const std::string tmp = path + ".tmp";
  auto written = [&]() -> Result<void> {
    auto file = COMBFS_TRY(open(tmp, true));
    COMBFS_CHECK(file->truncate(0));
    COMBFS_CHECK(file->write_at(0, contents));
    return file->sync();
  }();
  if (!written) {
    (void)remove(tmp);
    return written;
  }
  {
    crash_point("rename", path);
    auto lock = UndoRecorder::lock(path);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      auto status = io_status(errno, fmt::format("rename to '{}' of", path), tmp);
      lock.unlock();
      (void)remove(tmp);
      return std::unexpected(status);
    }
    // The old file's unsynced changes went with it; the new one is synced.
    COMBFS_CHECK(recorder_.forget(path));
  }
  return sync_dir(parent_dir(path));
}

Result<std::string> PowerLossEnv::boot_id() {
  const std::string path = dir() + "/boot_id";
  auto contents = COMBFS_TRY(read_small_file(path));
  if (!contents) {
    COMBFS_CHECK(write_boot_id(dir(), false));
    contents = COMBFS_TRY(read_small_file(path));
    if (!contents) return std::unexpected(io_status(ENOENT, "read", path));
  }
  std::string id = std::move(*contents);
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

Result<PowerLossReport> simulate_power_loss(const std::string& dir) {
  PowerLossReport report;
  for (const std::string& file : COMBFS_TRY(list_undo_logs(dir))) {
    UndoLog log = COMBFS_TRY(read_undo_log(file));
    if (!log.path.empty()) COMBFS_CHECK(undo(log, report));
    if (::unlink(file.c_str()) != 0) return std::unexpected(io_status(errno, "unlink undo log", file));
  }
  COMBFS_CHECK(write_boot_id(dir, true));
  return report;
}

}  // namespace combfs::env
