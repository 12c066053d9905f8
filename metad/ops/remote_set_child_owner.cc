// RemoteSetChildOwner: a directory named here moved to another metad; its
// dentry records the new owner.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteSetChildOwnerResponse> remote_set_child_owner(MetaStore& store,
                                                                  const proto::RemoteSetChildOwnerRequest& req) {
  COMBFS_CHECK(store.set_child_owner(EntryId::from_proto(req.parent()), EntryId::from_proto(req.child()),
                                     req.child_owner()));
  return proto::RemoteSetChildOwnerResponse();
}

}  // namespace combfs::metad::ops
