// libcombfs: use a combfs cluster from a C++ program without a mount.
//
// The library speaks the same protocol as the FUSE client and follows the
// same rules (docs/architecture.md): data is striped over the file's targets
// and written synchronously; close-to-open consistency.
//
//   auto client = combfs::Client::connect("mgmt-host:8008", "/etc/combfs/secret");
//   if (!client) { ... client.error().to_string() ... }
//   auto f = (*client)->open("/results/out.dat", O_CREAT | O_WRONLY | O_TRUNC, 0644);
//   (*f)->pwrite(buf, len, 0);
//   (*f)->close();
//
// Paths are relative to the root of the file system ("/a/b" and "a/b" are the
// same). Every call returns Result<T>; the error's message says what failed
// and Status::to_errno() gives the errno a POSIX call would have set.
// Thread-safe: one Client and its Files may be used from several threads.
// Many reads and writes at once: Client::submit (below); from C: combfs/combfs.h.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/entry_id.h"
#include "common/status.h"

namespace combfs {

namespace client {
class Cluster;
class MetaClient;
class DataPath;
class LeaseKeeper;
class Files;
struct OpenFile;
}  // namespace client

struct Stat {
  EntryId id;
  uint32_t mode = 0;  // st_mode: type and permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 0;
  uint64_t size = 0;  // for files open for write anywhere: the size on storage
  int64_t atime_ns = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint32_t owner_node = 0;  // metad that owns the entry
};

struct DirEntry {
  std::string name;
  EntryId id;
  uint32_t type = 0;  // S_IFREG, S_IFDIR, S_IFLNK, ...
};

class Client;

// An open file. Destroying it closes it (errors are then only logged: call
// close() to see them).
class File {
 public:
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Reads up to `length` bytes at `offset`; fewer only at the end of the file.
  Result<size_t> pread(void* buf, size_t length, uint64_t offset);
  // Writes all `length` bytes at `offset` (synchronously on every target).
  // REQUIRES: opened for writing.
  Result<size_t> pwrite(const void* buf, size_t length, uint64_t offset);
  // Makes the written data durable and records size and mtime on metad.
  Result<void> fsync();
  Result<void> truncate(uint64_t size);
  Result<Stat> stat();
  // Closes the file; afterwards only the destructor may be called.
  Result<void> close();

 private:
  friend class Client;
  File(Client& client, std::unique_ptr<client::OpenFile> file);
  Client& client_;
  std::unique_ptr<client::OpenFile> file_;
};

// One I/O of Client::submit().
struct Io {
  File* file = nullptr;
  bool write = false;
  uint64_t offset = 0;
  size_t length = 0;
  void* buf = nullptr;  // read into / written from; not touched after submit() returns
  // Out: bytes read (fewer than length only at the end of the file) or
  // written (all of length), or what failed.
  Result<size_t> result = std::unexpected(Status(proto::INTERNAL, "I/O not submitted"));
};

class Client {
 public:
  // Connects to the cluster whose mgmtd runs at `mgmtd` ("host[:port]", port
  // 8008 by default), authenticating with the shared secret in `secret_file`.
  // Errors: unreadable or world-readable secret file, unreachable mgmtd,
  // wrong secret.
  static Result<std::unique_ptr<Client>> connect(const std::string& mgmtd,
                                                 const std::string& secret_file = "/etc/combfs/secret");
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // flags as open(2): O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL, O_TRUNC.
  // `mode` is used when the file is created (no umask is applied).
  Result<std::unique_ptr<File>> open(const std::string& path, int flags, uint32_t mode = 0644);
  // Follows a symlink in the last component like stat(2).
  Result<Stat> stat(const std::string& path);
  Result<void> mkdir(const std::string& path, uint32_t mode = 0755);
  Result<void> unlink(const std::string& path);
  Result<void> rmdir(const std::string& path);
  // Entries of a directory, without "." and "..", in the server's order.
  Result<std::vector<DirEntry>> readdir(const std::string& path);

  // Runs all I/Os at once: each is split by chunk and the pieces of all of
  // them go to their targets in parallel. Returns when every I/O has its
  // result; I/Os of one batch that overlap (a write and another I/O on the
  // same bytes) run in no defined order. Errors of the batch itself: none
  // (each I/O carries its own); an I/O on a closed file, a write to a file
  // opened read-only or a null buffer fails alone.
  void submit(std::span<Io> ios);

 private:
  friend class File;
  Client() = default;
  std::unique_ptr<client::Cluster> cluster_;
  std::unique_ptr<client::MetaClient> meta_;
  std::unique_ptr<client::DataPath> data_;
  std::unique_ptr<client::LeaseKeeper> lease_;  // keeps open files open on the metads
  std::unique_ptr<client::Files> files_;
};

}  // namespace combfs
