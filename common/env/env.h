// The storage seam (LevelDB's Env): every durable byte a daemon writes -- stored's
// chunk files, and metad's and mgmtd's SQLite databases (through the VFS in
// sqlite_vfs.h) -- goes through an Env, so a test can replace the disk.
//
// Two implementations, chosen once per process by Env::get():
// - the plain one (POSIX calls), always, unless
// - the environment variable COMBFS_POWERLOSS_DIR names a directory: then a
//   PowerLossEnv (power_loss.h) remembers, in files under that directory, what
//   was written since each file's last sync, so that after every process of a
//   cluster was killed, simulate_power_loss() can throw the unsynced bytes away.
//   Test use only; a daemon logs a warning when it runs with it.
//
// Reads never go through the Env: a File's fd() is an ordinary descriptor for
// pread and sendfile. Everything that changes a file must use the File methods.
//
// Errors are Status with IO_ERROR or NO_SPACE (ENOSPC, EDQUOT) and a message that
// names the path, the operation and the offset.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

namespace combfs::env {

class File {
 public:
  virtual ~File() = default;
  const std::string& path() const { return path_; }
  // An ordinary descriptor opened O_RDWR, for reads only. Valid while the File lives.
  virtual int fd() const = 0;
  // Writes all of `data` at `offset`. Not durable until sync().
  virtual Result<void> write_at(uint64_t offset, std::span<const char> data) = 0;
  // Sets the size. Not durable until sync().
  virtual Result<void> truncate(uint64_t size) = 0;
  // Makes the data, the size and the file's existence durable (fsync). The
  // name's directory entry is made durable by Env::sync_dir of its directory
  // (the plain Env does it for real; the power-loss model treats a synced
  // file's name as durable, as ext4 and XFS do).
  virtual Result<void> sync() = 0;

 protected:
  explicit File(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process's Env (see the top of this file). Never null; lives forever.
  static Env& get();

  // Opens `path` read-write. When it is missing: creates it (mode 0644) if
  // `create`, else returns nullptr. Does not create parent directories.
  virtual Result<std::unique_ptr<File>> open(const std::string& path, bool create) = 0;

  // Makes the data of the file at `path` durable without keeping it open
  // (group commit syncs SQLite's WAL this way). A missing file is an error.
  virtual Result<void> sync_path(const std::string& path) = 0;

  // fsync of a directory: the names in it become durable.
  virtual Result<void> sync_dir(const std::string& dir) = 0;

  // Unlinks `path`; returns whether it existed. Durable at once in the
  // power-loss model (the adversarial choice for "remove only what is dead").
  virtual Result<bool> remove(const std::string& path) = 0;

  // Writes a small file as a whole, durably: temp file, sync, rename, sync of
  // the directory. After a crash the file holds the old or the new contents.
  virtual Result<void> write_file_durably(const std::string& path, const std::string& contents) = 0;

  // Changes every time the machine (or, under the power-loss model, the
  // simulated machine) restarts: a process that finds a different boot id
  // than the one recorded when it last wrote knows its unsynced writes may be
  // lost. The plain Env reads /proc/sys/kernel/random/boot_id.
  virtual Result<std::string> boot_id() = 0;
};

}  // namespace combfs::env
