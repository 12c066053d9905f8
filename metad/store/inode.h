// The rows of metad's namespace as C++ values: an inode (file, directory,
// symlink or special node) and a directory entry naming one.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/entry_id.h"
#include "proto/meta.pb.h"

namespace combfs::metad {

struct Inode {
  EntryId id;
  proto::FileType type = proto::FT_UNKNOWN;
  uint32_t mode = 0;  // full st_mode: type bits and permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;
  uint32_t nlink = 0;
  int64_t atime_ns = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t rdev = 0;
  std::string symlink_target;
  EntryId parent;                 // directories: the directory that names it (root: itself)
  uint32_t parent_owner = 0;      // directories: the metad that stores `parent` (0: this one)
  proto::StripePattern pattern;   // directories: inherited by new children; files: the layout's pattern
  std::vector<uint32_t> targets;  // regular files: chunk i on targets[i mod N]
  bool orphan = false;            // no name left, kept until its last Close
  // Directories whose name lives on another metad (docs/metadata.md):
  // pending = created for a mkdir that has not committed the name yet;
  // removing = an rmdir checked it empty and is removing the name (no new entries).
  enum State : int { kNormal = 0, kPending = 1, kRemoving = 2 };
  State state = kNormal;
  int64_t state_ns = 0;           // when `state` was set
  // Hashed directories: the shard directories (id, metad) that hold its names.
  std::vector<std::pair<EntryId, uint32_t>> shards;

  bool is_dir() const { return type == proto::FT_DIR; }
  bool is_reg() const { return type == proto::FT_REG; }

  // The wire form. owner_node: the metad that stores it; open_writers: from the opens table.
  proto::EntryInfo to_info(uint32_t owner_node, uint32_t open_writers) const;
};

struct Dentry {
  int64_t seq = 0;  // never reused: the readdir cookie
  EntryId parent;
  std::string name;
  EntryId child;
  proto::FileType child_type = proto::FT_UNKNOWN;
  uint32_t child_owner = 0;  // the metad that stores child's inode (0: this one)
};

// A name on another metad of a non-directory stored here (RemoteName requests).
struct RemoteNameRow {
  EntryId id;
  uint32_t node = 0;  // the metad that keeps the name
  EntryId parent;
  std::string name;
};

// A file whose chunk files wait for removal. `targets` lists where they are:
// target ids, and mirror group ids of buddy-mirrored files tagged with
// kMirrorGroupTag (the group's primary removes both copies).
struct Removal {
  int64_t seq = 0;
  EntryId id;
  std::vector<uint32_t> targets;
};
inline constexpr uint32_t kMirrorGroupTag = 0x80000000u;

// File type for the type bits of a st_mode (FT_UNKNOWN for none or garbage).
proto::FileType file_type_of_mode(uint32_t mode);

// "1,2,3" <-> {1,2,3}: target lists are stored as text so the database stays
// readable; a mirror group tagged with kMirrorGroupTag reads "g<id>".
std::string format_targets(const std::vector<uint32_t>& targets);
std::vector<uint32_t> parse_targets(const std::string& text);

// "<id>@<node>,..." <-> shards, as stored.
std::string format_shards(const std::vector<std::pair<EntryId, uint32_t>>& shards);
std::vector<std::pair<EntryId, uint32_t>> parse_shards(const std::string& text);

}  // namespace combfs::metad
