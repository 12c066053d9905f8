// Path resolution for libcombfs (the FUSE client gets one component at a time
// from the kernel and does not need this). Paths are taken relative to the
// root of the file system; "." and ".." are handled, symlinks in the middle of
// a path are followed (at most 40, like Linux), an absolute symlink target
// starts again at the root.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/lib/meta_client.h"

namespace combfs::client {

struct Node {
  EntryId id;
  uint32_t owner = 0;  // metad node id; 0 = the owner of "/"
};

struct Resolved {
  Node parent;                          // directory holding the last component
  std::string name;                     // last component ("" for the root itself)
  Node node;                            // the entry, when it exists
  std::optional<proto::EntryInfo> info;  // unset: the last component does not exist
};

// Splits "a//b/./c/" into {"a", "b", ".", "c"} (empty components dropped).
std::vector<std::string> split_path(const std::string& path);

// Resolves `path`. A missing last component is not an error (info unset), a
// missing directory on the way is (META_NOT_FOUND). With follow_last a
// symlink as last component is followed too.
Result<Resolved> resolve(MetaClient& meta, const std::string& path, bool follow_last);

}  // namespace combfs::client
