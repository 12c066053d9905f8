// SetAttr: chmod, chown, utimens and the metadata half of truncate (the client
// has already truncated the chunk files on the targets).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::SetAttrResponse> set_attr(OpsContext& ctx, const proto::SetAttrRequest& req) {
  proto::SetAttrResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.set_attr(req));
  return resp;
}

}  // namespace combfs::metad::ops
