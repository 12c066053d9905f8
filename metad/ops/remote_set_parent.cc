// RemoteSetParent: a directory stored here was renamed into another parent.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteSetParentResponse> remote_set_parent(MetaStore& store, const proto::RemoteSetParentRequest& req) {
  COMBFS_CHECK(store.remote_set_parent(EntryId::from_proto(req.id()), EntryId::from_proto(req.parent()),
                                       req.parent_owner()));
  return proto::RemoteSetParentResponse();
}

}  // namespace combfs::metad::ops
