// combfs/combfs.h: the C API over the C++ API of combfs/client.h. Errors
// become -errno plus a per-thread message; no exception crosses into C.
#include "combfs/combfs.h"

#include <fcntl.h>

#include <cerrno>
#include <mutex>
#include <string>
#include <vector>

#include "combfs/client.h"

struct combfs_client {
  std::unique_ptr<combfs::Client> client;
};

struct combfs_file {
  std::unique_ptr<combfs::File> file;
  bool append = false;
  std::mutex mutex;  // guards position
  uint64_t position = 0;
};

namespace {

thread_local std::string last_error;

// Records the failure for combfs_last_error and returns -errno.
int fail(const combfs::Status& s) {
  last_error = s.message();
  int err = s.to_errno();
  return -(err > 0 ? err : EIO);
}
int fail(int err, const char* message) {
  last_error = message;
  return -err;
}

void fill(const combfs::Stat& s, struct combfs_stat* st) {
  st->id_hi = s.id.hi;
  st->id_lo = s.id.lo;
  st->mode = s.mode;
  st->uid = s.uid;
  st->gid = s.gid;
  st->nlink = s.nlink;
  st->size = s.size;
  st->atime_ns = s.atime_ns;
  st->mtime_ns = s.mtime_ns;
  st->ctime_ns = s.ctime_ns;
}

}  // namespace

extern "C" {

const char* combfs_last_error(void) { return last_error.c_str(); }

int combfs_connect(const char* mgmtd, const char* secret_file, combfs_client_t** out) {
  if (!mgmtd || !out) return fail(EINVAL, "combfs_connect: mgmtd and out must not be NULL");
  auto c = combfs::Client::connect(mgmtd, secret_file ? secret_file : "/etc/combfs/secret");
  if (!c) return fail(c.error());
  *out = new combfs_client{std::move(*c)};
  return 0;
}

void combfs_disconnect(combfs_client_t* client) { delete client; }

int combfs_open(combfs_client_t* client, const char* path, int flags, mode_t mode, combfs_file_t** out) {
  if (!client || !path || !out) return fail(EINVAL, "combfs_open: client, path and out must not be NULL");
  auto f = client->client->open(path, flags, mode);
  if (!f) return fail(f.error());
  auto* file = new combfs_file;
  file->file = std::move(*f);
  file->append = (flags & O_APPEND) != 0;
  *out = file;
  return 0;
}

ssize_t combfs_pread(combfs_file_t* file, void* buf, size_t length, uint64_t offset) {
  if (!file || (!buf && length)) return fail(EINVAL, "combfs_pread: file and buf must not be NULL");
  auto n = file->file->pread(buf, length, offset);
  if (!n) return fail(n.error());
  return static_cast<ssize_t>(*n);
}

ssize_t combfs_pwrite(combfs_file_t* file, const void* buf, size_t length, uint64_t offset) {
  if (!file || (!buf && length)) return fail(EINVAL, "combfs_pwrite: file and buf must not be NULL");
  auto n = file->file->pwrite(buf, length, offset);
  if (!n) return fail(n.error());
  return static_cast<ssize_t>(*n);
}

ssize_t combfs_read(combfs_file_t* file, void* buf, size_t length) {
  if (!file) return fail(EINVAL, "combfs_read: file must not be NULL");
  std::lock_guard lock(file->mutex);
  ssize_t n = combfs_pread(file, buf, length, file->position);
  if (n > 0) file->position += static_cast<uint64_t>(n);
  return n;
}

ssize_t combfs_write(combfs_file_t* file, const void* buf, size_t length) {
  if (!file) return fail(EINVAL, "combfs_write: file must not be NULL");
  std::lock_guard lock(file->mutex);
  if (file->append) {
    auto st = file->file->stat();
    if (!st) return fail(st.error());
    file->position = st->size;
  }
  ssize_t n = combfs_pwrite(file, buf, length, file->position);
  if (n > 0) file->position += static_cast<uint64_t>(n);
  return n;
}

int combfs_fsync(combfs_file_t* file) {
  if (!file) return fail(EINVAL, "combfs_fsync: file must not be NULL");
  auto done = file->file->fsync();
  return done ? 0 : fail(done.error());
}

int combfs_close(combfs_file_t* file) {
  if (!file) return fail(EINVAL, "combfs_close: file must not be NULL");
  auto done = file->file->close();
  delete file;
  return done ? 0 : fail(done.error());
}

int combfs_stat(combfs_client_t* client, const char* path, struct combfs_stat* st) {
  if (!client || !path || !st) return fail(EINVAL, "combfs_stat: client, path and st must not be NULL");
  auto s = client->client->stat(path);
  if (!s) return fail(s.error());
  fill(*s, st);
  return 0;
}

int combfs_fstat(combfs_file_t* file, struct combfs_stat* st) {
  if (!file || !st) return fail(EINVAL, "combfs_fstat: file and st must not be NULL");
  auto s = file->file->stat();
  if (!s) return fail(s.error());
  fill(*s, st);
  return 0;
}

int combfs_unlink(combfs_client_t* client, const char* path) {
  if (!client || !path) return fail(EINVAL, "combfs_unlink: client and path must not be NULL");
  auto done = client->client->unlink(path);
  return done ? 0 : fail(done.error());
}

int combfs_mkdir(combfs_client_t* client, const char* path, mode_t mode) {
  if (!client || !path) return fail(EINVAL, "combfs_mkdir: client and path must not be NULL");
  auto done = client->client->mkdir(path, mode);
  return done ? 0 : fail(done.error());
}

int combfs_rmdir(combfs_client_t* client, const char* path) {
  if (!client || !path) return fail(EINVAL, "combfs_rmdir: client and path must not be NULL");
  auto done = client->client->rmdir(path);
  return done ? 0 : fail(done.error());
}

int combfs_submit(combfs_client_t* client, struct combfs_io* ios, size_t count) {
  if (!client || (!ios && count)) return fail(EINVAL, "combfs_submit: client and ios must not be NULL");
  std::vector<combfs::Io> batch(count);
  for (size_t i = 0; i < count; ++i) {
    batch[i].file = ios[i].file ? ios[i].file->file.get() : nullptr;
    batch[i].write = ios[i].op == COMBFS_IO_WRITE;
    batch[i].offset = ios[i].offset;
    batch[i].length = ios[i].length;
    batch[i].buf = ios[i].buf;
    if (ios[i].op != COMBFS_IO_READ && ios[i].op != COMBFS_IO_WRITE) batch[i].file = nullptr;
  }
  client->client->submit(batch);
  int failed = 0;
  for (size_t i = 0; i < count; ++i) {
    if (ios[i].op != COMBFS_IO_READ && ios[i].op != COMBFS_IO_WRITE) {
      ios[i].result = -EINVAL;
      if (failed++ == 0) last_error = "combfs_submit: op must be COMBFS_IO_READ or COMBFS_IO_WRITE";
      continue;
    }
    if (batch[i].result) {
      ios[i].result = static_cast<ssize_t>(*batch[i].result);
    } else {
      int err = batch[i].result.error().to_errno();
      ios[i].result = -(err > 0 ? err : EIO);
      if (failed++ == 0) last_error = batch[i].result.error().message();
    }
  }
  return failed;
}

}  // extern "C"
