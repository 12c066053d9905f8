// PowerLossEnv: a model, for tests, of a disk that loses what was not synced
// when the power goes. Files are real files (a process reads its own writes
// through fd() as usual); before each change since a file's last sync, the
// model appends an undo record to that file's log under `dir` (undo_log.h).
// After every process that used `dir` was killed, simulate_power_loss(dir)
// plays the logs backwards: each file returns to its state at its last sync,
// and a file created and never synced disappears.
//
// What the model counts as durable, and why:
// - File::sync and sync_path: the data, the size and the file's name (ext4
//   and XFS make a new file's name durable with its first fsync).
// - remove: at once. A real disk may bring an unsynced unlink back; keeping
//   it gone is the adversarial choice for "delete only what is dead".
// - write_file_durably: the temp file is synced and the rename is durable.
// - sync_dir: a real fsync; the model has no unsynced names to make durable.
//
// Crash points: see crash_point.h (COMBFS_CRASH_AFTER). Every mutating call
// counts: write_at, truncate, sync, sync_path, sync_dir, remove,
// write_file_durably (and each of its steps: create, truncate, write, sync,
// rename, sync_dir), and an open that creates.
#pragma once

#include <cstdint>
#include <string>

#include "common/env/env.h"
#include "common/env/posix_env.h"
#include "common/env/undo_log.h"

namespace combfs::env {

class PowerLossEnv final : public Env {
 public:
  // Nothing is created until the first change or boot_id().
  explicit PowerLossEnv(std::string dir) : recorder_(std::move(dir)) {}

  Result<std::unique_ptr<File>> open(const std::string& path, bool create) override;
  Result<void> sync_path(const std::string& path) override;
  Result<void> sync_dir(const std::string& dir) override;
  Result<bool> remove(const std::string& path) override;
  Result<void> write_file_durably(const std::string& path, const std::string& contents) override;
  // The contents of <dir>/boot_id, created with a random value if missing.
  // Read at every call: simulate_power_loss() changes it.
  Result<std::string> boot_id() override;

  const std::string& dir() const { return recorder_.dir(); }
  // For the SQLite VFS, which records its files' changes in the same logs.
  UndoRecorder& recorder() { return recorder_; }

 private:
  PosixEnv base_;
  UndoRecorder recorder_;
};

struct PowerLossReport {
  uint64_t files_restored = 0;  // rolled back to their state at their last sync
  uint64_t files_removed = 0;   // created and never synced
  uint64_t bytes_restored = 0;  // old bytes written back
};

// Loses everything not synced: applies every undo log under `dir` in reverse,
// deletes the logs, and writes a new random <dir>/boot_id (the simulated
// machine restarted). Torn records at a log's end are ignored.
// REQUIRES: every process that used `dir` is dead.
Result<PowerLossReport> simulate_power_loss(const std::string& dir);

}  // namespace combfs::env
