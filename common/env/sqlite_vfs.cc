#include "common/env/sqlite_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/env/crash_point.h"
#include "common/env/power_loss.h"
#include "common/env/undo_log.h"

namespace combfs::env {
namespace {

UndoRecorder* g_recorder = nullptr;  // set once, before the VFS is registered

// Our sqlite3_file; the default VFS's file follows it in the same allocation.
struct ModelFile {
  sqlite3_file base;
  std::string* path;  // model_path(name); null for files the model ignores
};
constexpr int kInnerOffset = (sizeof(ModelFile) + 15) & ~15;

sqlite3_file* inner(sqlite3_file* file) { return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kInnerOffset); }
const std::string* path_of(sqlite3_file* file) { return reinterpret_cast<ModelFile*>(file)->path; }
sqlite3_vfs* inner_vfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// SQLite sees only a code: the reason goes to the log.
int failed(const Status& status, int code) {
  spdlog::error("SQLite VFS combfs-powerloss: {}", status.to_string());
  return status.code() == proto::NO_SPACE ? SQLITE_FULL : code;
}

class SqliteContents final : public OldContents {
 public:
  explicit SqliteContents(sqlite3_file* file) : file_(file) {}
  Result<uint64_t> size() override {
    sqlite3_int64 size = 0;
    int rc = file_->pMethods->xFileSize(file_, &size);
    if (rc != SQLITE_OK) return error(proto::IO_ERROR, fmt::format("xFileSize failed: {}", sqlite3_errstr(rc)));
    return static_cast<uint64_t>(size);
  }
  Result<void> read(uint64_t offset, std::span<char> out) override {
    int rc = file_->pMethods->xRead(file_, out.data(), static_cast<int>(out.size()), static_cast<sqlite3_int64>(offset));
    if (rc != SQLITE_OK) {
      return error(proto::IO_ERROR, fmt::format("xRead at offset {} failed: {}", offset, sqlite3_errstr(rc)));
    }
    return {};
  }

 private:
  sqlite3_file* file_;
};

int x_close(sqlite3_file* file) {
  int rc = inner(file)->pMethods->xClose(inner(file));
  delete reinterpret_cast<ModelFile*>(file)->path;
  return rc;
}

int x_read(sqlite3_file* file, void* buf, int amount, sqlite3_int64 offset) {
  return inner(file)->pMethods->xRead(inner(file), buf, amount, offset);
}

int x_write(sqlite3_file* file, const void* buf, int amount, sqlite3_int64 offset) {
  if (const std::string* path = path_of(file)) {
    crash_point("sqlite write", *path);
    auto lock = UndoRecorder::lock(*path);
    SqliteContents old(inner(file));
    auto recorded = g_recorder->before_write(*path, old, static_cast<uint64_t>(offset), static_cast<uint64_t>(amount));
    if (!recorded) return failed(recorded.error(), SQLITE_IOERR_WRITE);
    return inner(file)->pMethods->xWrite(inner(file), buf, amount, offset);
  }
  return inner(file)->pMethods->xWrite(inner(file), buf, amount, offset);
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const std::string* path = path_of(file)) {
    crash_point("sqlite truncate", *path);
    auto lock = UndoRecorder::lock(*path);
    SqliteContents old(inner(file));
    auto recorded = g_recorder->before_truncate(*path, old, static_cast<uint64_t>(size));
    if (!recorded) return failed(recorded.error(), SQLITE_IOERR_TRUNCATE);
    return inner(file)->pMethods->xTruncate(inner(file), size);
  }
  return inner(file)->pMethods->xTruncate(inner(file), size);
}

int x_sync(sqlite3_file* file, int flags) {
  if (const std::string* path = path_of(file)) {
    crash_point("sqlite sync", *path);
    // Under the lock, as PowerLossFile::sync: no change may slip between.
    auto lock = UndoRecorder::lock(*path);
    int rc = inner(file)->pMethods->xSync(inner(file), flags);
    if (rc != SQLITE_OK) return rc;
    auto forgotten = g_recorder->forget(*path);
    return forgotten ? SQLITE_OK : failed(forgotten.error(), SQLITE_IOERR_FSYNC);
  }
  return inner(file)->pMethods->xSync(inner(file), flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) { return inner(file)->pMethods->xFileSize(inner(file), size); }
int x_lock(sqlite3_file* file, int level) { return inner(file)->pMethods->xLock(inner(file), level); }
int x_unlock(sqlite3_file* file, int level) { return inner(file)->pMethods->xUnlock(inner(file), level); }
int x_check_reserved_lock(sqlite3_file* file, int* out) {
  return inner(file)->pMethods->xCheckReservedLock(inner(file), out);
}

int x_file_control(sqlite3_file* file, int op, void* arg) {
  const std::string* path = path_of(file);
  if (op == SQLITE_FCNTL_SIZE_HINT && path != nullptr) {
    // With a chunk size set, the default VFS grows the file here, outside
    // xWrite and xTruncate: record the size it had.
    auto lock = UndoRecorder::lock(*path);
    SqliteContents old(inner(file));
    auto size = old.size();
    auto hint = static_cast<uint64_t>(*static_cast<sqlite3_int64*>(arg));
    if (size && hint > *size) {
      auto recorded = g_recorder->before_truncate(*path, old, hint);
      if (!recorded) return failed(recorded.error(), SQLITE_IOERR_TRUNCATE);
    }
    return inner(file)->pMethods->xFileControl(inner(file), op, arg);
  }
  return inner(file)->pMethods->xFileControl(inner(file), op, arg);
}

int x_sector_size(sqlite3_file* file) { return inner(file)->pMethods->xSectorSize(inner(file)); }
int x_device_characteristics(sqlite3_file* file) {
  return inner(file)->pMethods->xDeviceCharacteristics(inner(file));
}
int x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return inner(file)->pMethods->xShmMap(inner(file), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return inner(file)->pMethods->xShmLock(inner(file), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* file) { inner(file)->pMethods->xShmBarrier(inner(file)); }
int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  return inner(file)->pMethods->xShmUnmap(inner(file), delete_flag);
}
int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  return inner(file)->pMethods->xFetch(inner(file), offset, amount, out);
}
int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return inner(file)->pMethods->xUnfetch(inner(file), offset, p);
}

// One table per io_methods version, so that SQLite never calls a method the
// inner file does not have (it checks iVersion first).
constexpr sqlite3_io_methods methods(int version) {
  return sqlite3_io_methods{version, x_close, x_read, x_write, x_truncate, x_sync, x_file_size, x_lock,
                            x_unlock, x_check_reserved_lock, x_file_control, x_sector_size,
                            x_device_characteristics, x_shm_map, x_shm_lock, x_shm_barrier, x_shm_unmap,
                            x_fetch, x_unfetch};
}
const sqlite3_io_methods kMethods[] = {methods(1), methods(2), methods(3)};

int x_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* model = reinterpret_cast<ModelFile*>(file);
  model->base.pMethods = nullptr;
  model->path = nullptr;
  // Unnamed and delete-on-close files are temporary: no power loss can leave them.
  bool modelled = name != nullptr && (flags & SQLITE_OPEN_DELETEONCLOSE) == 0;
  std::string path = modelled ? model_path(name) : std::string();
  std::unique_lock<std::mutex> lock;
  bool creating = false;
  if (modelled) {
    lock = UndoRecorder::lock(path);
    creating = (flags & SQLITE_OPEN_CREATE) != 0 && ::access(name, F_OK) != 0 && errno == ENOENT;
    if (creating) {
      crash_point("sqlite create", path);
      auto recorded = g_recorder->created(path);
      if (!recorded) return failed(recorded.error(), SQLITE_CANTOPEN);
    }
  }
  int rc = inner_vfs(vfs)->xOpen(inner_vfs(vfs), name, inner(file), flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite closes only what our pMethods points to: close the inner file.
    if (inner(file)->pMethods != nullptr) inner(file)->pMethods->xClose(inner(file));
    if (creating && ::access(name, F_OK) != 0) (void)g_recorder->forget(path);
    return rc;
  }
  if (modelled) model->path = new std::string(std::move(path));
  int version = std::clamp(inner(file)->pMethods->iVersion, 1, 3);
  model->base.pMethods = &kMethods[version - 1];
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  std::string path = model_path(name);
  crash_point("sqlite delete", path);
  auto lock = UndoRecorder::lock(path);
  int rc = inner_vfs(vfs)->xDelete(inner_vfs(vfs), name, sync_dir);
  if (rc == SQLITE_OK || rc == SQLITE_IOERR_DELETE_NOENT) {
    // Durable at once, as PowerLossEnv::remove.
    auto forgotten = g_recorder->forget(path);
    if (!forgotten) return failed(forgotten.error(), SQLITE_IOERR_DELETE);
  }
  return rc;
}

int x_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return inner_vfs(vfs)->xAccess(inner_vfs(vfs), name, flags, out);
}
int x_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return inner_vfs(vfs)->xFullPathname(inner_vfs(vfs), name, size, out);
}
void* x_dl_open(sqlite3_vfs* vfs, const char* name) { return inner_vfs(vfs)->xDlOpen(inner_vfs(vfs), name); }
void x_dl_error(sqlite3_vfs* vfs, int size, char* out) { inner_vfs(vfs)->xDlError(inner_vfs(vfs), size, out); }
void (*x_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return inner_vfs(vfs)->xDlSym(inner_vfs(vfs), handle, symbol);
}
void x_dl_close(sqlite3_vfs* vfs, void* handle) { inner_vfs(vfs)->xDlClose(inner_vfs(vfs), handle); }
int x_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return inner_vfs(vfs)->xRandomness(inner_vfs(vfs), size, out);
}
int x_sleep(sqlite3_vfs* vfs, int micros) { return inner_vfs(vfs)->xSleep(inner_vfs(vfs), micros); }
int x_current_time(sqlite3_vfs* vfs, double* out) { return inner_vfs(vfs)->xCurrentTime(inner_vfs(vfs), out); }
int x_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return inner_vfs(vfs)->xGetLastError(inner_vfs(vfs), size, out);
}
int x_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return inner_vfs(vfs)->xCurrentTimeInt64(inner_vfs(vfs), out);
}
int x_set_system_call(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
  return inner_vfs(vfs)->xSetSystemCall(inner_vfs(vfs), name, call);
}
sqlite3_syscall_ptr x_get_system_call(sqlite3_vfs* vfs, const char* name) {
  return inner_vfs(vfs)->xGetSystemCall(inner_vfs(vfs), name);
}
const char* x_next_system_call(sqlite3_vfs* vfs, const char* name) {
  return inner_vfs(vfs)->xNextSystemCall(inner_vfs(vfs), name);
}

Result<void> register_vfs(UndoRecorder& recorder) {
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr) return error(proto::INTERNAL, "SQLite has no default VFS to wrap");
  g_recorder = &recorder;
  static sqlite3_vfs vfs;
  // Our iVersion is the inner one's, so SQLite calls only methods it has.
  vfs.iVersion = std::min(base->iVersion, 3);
  vfs.szOsFile = kInnerOffset + base->szOsFile;
  vfs.mxPathname = base->mxPathname;
  vfs.zName = "combfs-powerloss";
  vfs.pAppData = base;
  vfs.xOpen = x_open;
  vfs.xDelete = x_delete;
  vfs.xAccess = x_access;
  vfs.xFullPathname = x_full_pathname;
  vfs.xDlOpen = x_dl_open;
  vfs.xDlError = x_dl_error;
  vfs.xDlSym = x_dl_sym;
  vfs.xDlClose = x_dl_close;
  vfs.xRandomness = x_randomness;
  vfs.xSleep = x_sleep;
  vfs.xCurrentTime = x_current_time;
  vfs.xGetLastError = x_get_last_error;
  vfs.xCurrentTimeInt64 = x_current_time_int64;
  vfs.xSetSystemCall = x_set_system_call;
  vfs.xGetSystemCall = x_get_system_call;
  vfs.xNextSystemCall = x_next_system_call;
  int rc = sqlite3_vfs_register(&vfs, /*makeDflt=*/1);
  if (rc != SQLITE_OK) {
    return error(proto::INTERNAL, fmt::format("cannot register the SQLite VFS combfs-powerloss: {}", sqlite3_errstr(rc)));
  }
  spdlog::warn("SQLite runs on the power-loss test model (VFS combfs-powerloss over '{}')", base->zName);
  return {};
}

}  // namespace

Result<void> install_sqlite_vfs() {
  auto* model = dynamic_cast<PowerLossEnv*>(&Env::get());
  if (model == nullptr) return {};
  static const Result<void> installed = register_vfs(model->recorder());
  return installed;
}

}  // namespace combfs::env
