/* libcombfs C API: use a combfs cluster from C (or any language with a C
 * FFI) without a mount. The same data path and rules as the FUSE client and
 * the C++ API in combfs/client.h, which this wraps.
 *
 *   combfs_client_t* c;
 *   if (combfs_connect("mgmt-host:8008", "/etc/combfs/secret", &c) < 0)
 *     fprintf(stderr, "%s\n", combfs_last_error());
 *   combfs_file_t* f;
 *   combfs_open(c, "/results/out.dat", O_CREAT | O_WRONLY | O_TRUNC, 0644, &f);
 *   combfs_pwrite(f, buf, len, 0);
 *   combfs_close(f);
 *   combfs_disconnect(c);
 *
 * Errors: every call returns a negative errno (-ENOENT, -EIO, ...) on failure;
 * combfs_last_error() then gives the message of this thread's last failure,
 * which says what went wrong and what to do. Paths are relative to the root
 * of the file system ("/a/b" and "a/b" are the same).
 *
 * Thread safety: a client and its files may be used from several threads;
 * the file position of combfs_read/combfs_write is shared by the threads
 * using one file, like a file descriptor's.
 *
 * Batch I/O (in the spirit of 3FS USRBIO): combfs_submit() takes many reads
 * and writes (file, offset, length, caller buffer) at once, sends their
 * chunk pieces to all targets in parallel and returns when every one has
 * finished, each with its own result. */
#ifndef COMBFS_COMBFS_H
#define COMBFS_COMBFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct combfs_client combfs_client_t;
typedef struct combfs_file combfs_file_t;

/* Connects to the cluster whose mgmtd runs at `mgmtd` ("host[:port]", port
 * 8008 by default) with the shared secret in `secret_file` (NULL: the default
 * /etc/combfs/secret). On success *out is the client; free it with
 * combfs_disconnect. Errors: unreadable or world-readable secret file,
 * unreachable mgmtd, wrong secret. */
int combfs_connect(const char* mgmtd, const char* secret_file, combfs_client_t** out);

/* Frees the client. REQUIRES: every file of it is closed. */
void combfs_disconnect(combfs_client_t* client);

/* The message of the calling thread's last failed call ("" if none). Valid
 * until this thread's next combfs call. */
const char* combfs_last_error(void);

/* Opens `path`; flags as open(2): O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL,
 * O_TRUNC, O_APPEND. `mode` is used when the file is created (no umask).
 * On success *out is the file, at position 0; close it with combfs_close. */
int combfs_open(combfs_client_t* client, const char* path, int flags, mode_t mode, combfs_file_t** out);

/* Reads up to `length` bytes at the file position (or at `offset` for pread;
 * the position is then unchanged). Returns the number of bytes read, fewer
 * only at the end of the file, 0 at or past it. */
ssize_t combfs_read(combfs_file_t* file, void* buf, size_t length);
ssize_t combfs_pread(combfs_file_t* file, void* buf, size_t length, uint64_t offset);

/* Writes all `length` bytes at the file position (with O_APPEND: at the end
 * of the file as this client sees it; not atomic against other writers)
 * or at `offset` (pwrite). Returns `length`. Synchronous on every target;
 * durable after combfs_fsync. */
ssize_t combfs_write(combfs_file_t* file, const void* buf, size_t length);
ssize_t combfs_pwrite(combfs_file_t* file, const void* buf, size_t length, uint64_t offset);

/* Makes the written data durable and records size and mtime. */
int combfs_fsync(combfs_file_t* file);

/* Closes and frees the file, also when an error is returned (the open is
 * given back to the metadata server in any case). */
int combfs_close(combfs_file_t* file);

struct combfs_stat {
  uint64_t id_hi, id_lo; /* the entry id, unique in the cluster */
  uint32_t mode;         /* st_mode: type and permission bits */
  uint32_t uid, gid, nlink;
  uint64_t size; /* for files open for write anywhere: the size on storage */
  int64_t atime_ns, mtime_ns, ctime_ns;
};

/* stat(2) of a path (following a symlink in the last component) or of an
 * open file. */
int combfs_stat(combfs_client_t* client, const char* path, struct combfs_stat* st);
int combfs_fstat(combfs_file_t* file, struct combfs_stat* st);

int combfs_unlink(combfs_client_t* client, const char* path);
int combfs_mkdir(combfs_client_t* client, const char* path, mode_t mode);
int combfs_rmdir(combfs_client_t* client, const char* path);

enum combfs_io_op { COMBFS_IO_READ = 0, COMBFS_IO_WRITE = 1 };

/* One I/O of a batch. `result` is set by combfs_submit: bytes read (fewer
 * than length only at the end of the file) or written (all of length), or a
 * negative errno. */
struct combfs_io {
  combfs_file_t* file;
  int op; /* enum combfs_io_op */
  uint64_t offset;
  size_t length;
  void* buf; /* read into / written from; not touched after combfs_submit returns */
  ssize_t result;
};

/* Runs `count` I/Os at once and returns when all have finished: the number of
 * I/Os that failed (0: all succeeded), or a negative errno when the batch
 * itself is invalid (ios NULL with count > 0). I/Os of one batch that overlap
 * (a write and another I/O on the same bytes) run in no defined order. The
 * message of the first failed I/O is left in combfs_last_error(). */
int combfs_submit(combfs_client_t* client, struct combfs_io* ios, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* COMBFS_COMBFS_H */
