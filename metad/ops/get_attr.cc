// GetAttr: an entry's attributes and layout by id.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::GetAttrResponse> get_attr(OpsContext& ctx, const proto::GetAttrRequest& req) {
  proto::GetAttrResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.get_attr(EntryId::from_proto(req.id())));
  return resp;
}

}  // namespace combfs::metad::ops
