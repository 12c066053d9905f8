// The walk up ".." across metads that keeps a directory out of its own subtree.
#include <fmt/format.h>

#include "metad/cross/cross.h"

namespace combfs::metad::cross {

Result<bool> dir_inside(Cross& c, EntryId dir, uint32_t dir_owner, EntryId ancestor) {
  proto::RemoteAncestryRequest req;
  ancestor.to_proto(req.mutable_ancestor());
  uint32_t owner = dir_owner;
  EntryId cur = dir;
  // One call per change of metad on the way up; the bound only stops a corrupt loop.
  for (int hops = 0; hops < 10000; ++hops) {
    cur.to_proto(req.mutable_dir());
    auto step = COMBFS_TRY(c.peers().call(owner, req));
    if (step.done()) return step.found();
    cur = EntryId::from_proto(step.next());
    owner = step.next_owner();
  }
  return error(proto::INTERNAL, fmt::format("the parent chain of directory {} does not end at the root", dir.to_string()));
}

}  // namespace combfs::metad::cross
