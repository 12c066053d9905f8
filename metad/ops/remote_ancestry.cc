// RemoteAncestry: one leg of the walk up ".." that keeps a directory out of its own subtree.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteAncestryResponse> remote_ancestry(MetaStore& store, const proto::RemoteAncestryRequest& req) {
  return store.ancestry(EntryId::from_proto(req.dir()), EntryId::from_proto(req.ancestor()));
}

}  // namespace combfs::metad::ops
