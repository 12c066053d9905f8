// The kernel's inode numbers (FUSE node ids) are client-local: each one maps to
// an entry id and the metad that owns the entry. FUSE_ROOT_ID is the root
// directory. Every entry reply to the kernel adds one lookup; the kernel's
// forget takes them back, and an inode without lookups leaves the table, so it
// stays as large as the kernel's inode cache.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/entry_id.h"
#include "proto/meta.pb.h"

namespace combfs::fuse {

inline constexpr uint64_t kRootIno = 1;  // FUSE_ROOT_ID

struct Inode {
  EntryId id;
  uint32_t owner = 0;  // metad node id; 0 for the root = whoever owns "/" in the map
  // Regular files: the layout once known (it never changes for a file).
  std::shared_ptr<const proto::Layout> layout;
};

class InodeTable {
 public:
  InodeTable();

  // Called once per entry reply the kernel accepted (lookup, create, mkdir,
  // readdirplus, ...): returns the entry's node id and counts one lookup.
  // A known entry keeps its node id; a non-zero `owner` replaces the old one.
  uint64_t remember(const EntryId& id, uint32_t owner);

  // Takes back `nlookup` lookups; the inode leaves the table at zero. The root
  // never leaves. Unknown inodes are ignored (forget may race with nothing else).
  void forget(uint64_t ino, uint64_t nlookup);

  std::optional<Inode> get(uint64_t ino) const;
  void set_layout(uint64_t ino, const proto::Layout& layout);

  size_t size() const;                      // number of inodes, root included
  uint64_t lookups(uint64_t ino) const;     // 0 when unknown (for tests)

 private:
  struct Slot {
    Inode inode;
    uint64_t nlookup = 0;
  };
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Slot> by_ino_;      // GUARDED_BY(mutex_)
  std::unordered_map<EntryId, uint64_t> by_id_;    // GUARDED_BY(mutex_)
  uint64_t next_ino_ = kRootIno + 1;               // GUARDED_BY(mutex_); never reused
};

}  // namespace combfs::fuse
