// The power-loss model's memory: for every file changed since its last sync,
// an undo log under <dir>/undo/ that says how to bring the file back to its
// state at that sync. Shared by PowerLossEnv (power_loss.h) and the SQLite VFS
// (sqlite_vfs.h), so that a file is modelled the same way whoever writes it.
//
// A log is <dir>/undo/<hex of a hash of the absolute path>.log: a "path"
// record naming the file, then one record per change, each appended with
// plain write(2) *before* the change is made. A process killed while appending
// leaves a torn record whose change never happened; readers skip it.
// The page cache keeps the logs across kill -9 of any process, which is all
// the model needs: the power loss is simulated only after every process died.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace combfs::env {

// Reads what a change is about to overwrite (a descriptor for PowerLossEnv,
// the inner sqlite3_file for the VFS, which must not open a second descriptor
// on its files: closing that would drop SQLite's POSIX locks).
class OldContents {
 public:
  virtual ~OldContents() = default;
  virtual Result<uint64_t> size() = 0;
  // REQUIRES: offset + out.size() <= size().
  virtual Result<void> read(uint64_t offset, std::span<char> out) = 0;
};

// The absolute, lexically normal form of `path`: the model's name of a file.
std::string model_path(const std::string& path);

class UndoRecorder {
 public:
  // `dir` is the model's directory (COMBFS_POWERLOSS_DIR); nothing is created
  // until the first record.
  explicit UndoRecorder(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  // Makes "record + change" and "sync + forget" of one path atomic with
  // respect to each other, in all threads of the process (group commit syncs
  // a file from another thread than its writer's). One table of mutexes for
  // the whole process, indexed by the path's hash; paths may share a mutex,
  // so hold at most one of these locks at a time.
  [[nodiscard]] static std::unique_lock<std::mutex> lock(const std::string& path);

  // REQUIRES for all below: lock(path) is held. Each records how to undo the
  // change the caller is about to make; if it fails, make no change.
  // `path` did not exist and is about to be created.
  Result<void> created(const std::string& path);
  // [offset, offset + len) is about to be written.
  Result<void> before_write(const std::string& path, OldContents& file, uint64_t offset, uint64_t len);
  // The size is about to become `new_size`.
  Result<void> before_truncate(const std::string& path, OldContents& file, uint64_t new_size);
  // The file as it is now is what a power loss leaves (it was synced, or it
  // is gone: removed or renamed over). Drops its undo log.
  Result<void> forget(const std::string& path);

 private:
  const std::string dir_;
};

// One record of an undo log, as read back.
struct UndoRecord {
  enum Type : uint32_t { kPath = 1, kCreated = 2, kWrite = 3, kTruncate = 4 };
  Type type;
  // kWrite, kTruncate: undo = write `old_bytes` back at `offset`, then set the
  // size to `old_size`. kPath: `old_bytes` holds the path.
  uint64_t offset = 0;
  uint64_t old_size = 0;
  std::string old_bytes;
};

struct UndoLog {
  std::string path;                 // the file it undoes; empty if the log named none
  std::vector<UndoRecord> changes;  // in the order the changes were made
  uint64_t torn_bytes = 0;          // skipped: torn or unreadable records
};

// The logs under `dir`'s undo directory (their file names), in no order.
Result<std::vector<std::string>> list_undo_logs(const std::string& dir);
// Parses one log file.
Result<UndoLog> read_undo_log(const std::string& log_file);

}  // namespace combfs::env
