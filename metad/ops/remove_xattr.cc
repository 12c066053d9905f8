// RemoveXattr: removes one extended attribute.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoveXattrResponse> remove_xattr(OpsContext& ctx, const proto::RemoveXattrRequest& req) {
  COMBFS_CHECK(ctx.store.remove_xattr(EntryId::from_proto(req.id()), req.name()));
  return proto::RemoveXattrResponse();
}

}  // namespace combfs::metad::ops
