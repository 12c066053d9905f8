// The rules for open files that the FUSE client and libcombfs share
// (docs/architecture.md, "Size and data semantics"):
//   - every open sends Open and every close sends Close;
//   - a writer's Close carries the size measured on the storage targets
//     (only when that handle wrote: an untouched file's size is metad's);
//   - truncate = TruncateChunk on every target, then SetAttr(SIZE) on metad;
//   - while a file has open writers its size is max(metad size, storage size);
//   - every open file is held on the client's lease (lease.h), or metad
//     counts it as closed once the lease runs out.
//
// Thread-safe; an OpenFile may be used by several threads at once.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "client/lib/data_path.h"
#include "client/lib/lease.h"
#include "client/lib/meta_client.h"

namespace combfs::client {

struct OpenFile {
  EntryId id;
  uint32_t owner = 0;  // metad that owns the entry
  proto::Layout layout;
  bool for_write = false;
  std::atomic<int64_t> last_write_ns{0};  // mtime to report on fsync/close; 0 = not written
  // Set by the FUSE client on a direct-write handle of a file with S_ISUID or
  // S_ISGID at open: the first write by a non-root caller clears them (the
  // kernel does so only for writes through the page cache).
  std::atomic<bool> kill_privs_on_write{false};
  // Set by the FUSE client on a handle that writes through the page cache:
  // its writes are answered before they reach the targets (client/fuse/write_behind.h).
  bool write_behind = false;
  // Write epochs of the targets this handle wrote to since its last fsync:
  // how its fsync or close learns that a target lost unsynced writes.
  WriteEpochs epochs;
  // Up to which size its chunk files are known to exist (chunk_cover.h):
  // starts at the size at open.
  ChunkCover cover;
};

class Files {
 public:
  // REQUIRES: lease outlives this object.
  Files(MetaClient& meta, DataPath& data, LeaseKeeper& lease) : meta_(meta), data_(data), lease_(lease) {}

  uint64_t client_id() const { return lease_.client_id(); }

  // Opens an existing entry. With `truncate` (O_TRUNC on a writable open) the
  // file is cut to 0 bytes. Returns the handle and the entry's info.
  Result<std::unique_ptr<OpenFile>> open(uint32_t owner, const EntryId& id, bool for_write, bool truncate,
                                         proto::EntryInfo* info = nullptr);

  // Who creates a file: owner, group and the umask metad applies to `mode`
  // (unless the parent has a default ACL; 0: `mode` is final).
  struct Creator {
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint32_t umask = 0;
  };
  // Creates `name` in `parent` (owned by `parent_owner`) as a regular file and
  // opens it; an existing file is opened instead unless `exclusive` (and cut
  // to 0 bytes with `truncate`). A writer is counted by Create itself, a
  // reader by an Open that follows it.
  Result<std::unique_ptr<OpenFile>> create(uint32_t parent_owner, const EntryId& parent, const std::string& name,
                                           uint32_t mode, Creator creator, bool exclusive, bool for_write,
                                           bool truncate, proto::EntryInfo* info = nullptr);

  // Sends Close (with the size measured on the targets for a writer that
  // wrote or truncated through this handle; metad keeps its size otherwise).
  // The handle is finished whatever the result. A file that metad no longer
  // has (removed after this client's lease ran out: proto/meta.proto, Open)
  // closes without error.
  Result<void> close(OpenFile& file);

  Result<size_t> read(OpenFile& file, char* buf, size_t length, uint64_t offset);
  Result<void> write(OpenFile& file, const char* buf, size_t length, uint64_t offset);

  // Flushes data on every target and records size and mtime on metad.
  // STORAGE_WRITES_LOST when a target lost writes of this handle in a crash
  // (write_epochs.h); close() reports that too.
  Result<proto::EntryInfo> fsync(OpenFile& file);

  // Cuts or extends the file to `size` on the targets, then sends `req` (its
  // SIZE bit and size are set here; other fields are the caller's) to metad.
  Result<proto::EntryInfo> truncate(uint32_t owner, const EntryId& id, const proto::Layout& layout, uint64_t size,
                                    proto::SetAttrRequest req = {});

  // Applies the size rule to info fetched from metad: for a regular file with
  // open writers, the size becomes max(metad size, storage size).
  Result<proto::EntryInfo> live_size(proto::EntryInfo info);

  // GetAttr with the size rule applied.
  Result<proto::EntryInfo> getattr(uint32_t owner, const EntryId& id);

 private:
  // truncate() to 0 for O_TRUNC; on failure the open is given back to metad.
  Result<proto::EntryInfo> truncate_or_close(OpenFile& file, proto::SetAttrRequest req);

  MetaClient& meta_;
  DataPath& data_;
  LeaseKeeper& lease_;
};

// Owner of an entry described by `info`: Attr.owner_node, or `fallback` (the
// owner of its directory) when metad left it unset.
inline uint32_t owner_of(const proto::EntryInfo& info, uint32_t fallback) {
  return info.attr().owner_node() ? info.attr().owner_node() : fallback;
}

// A random 64-bit id for one mount or one library instance (never 0).
uint64_t new_client_id();

}  // namespace combfs::client
