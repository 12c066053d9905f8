// SetPattern: the stripe pattern new files in a directory inherit (fsctl setpattern).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::SetPatternResponse> set_pattern(OpsContext& ctx, const proto::SetPatternRequest& req) {
  proto::SetPatternResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.set_pattern(EntryId::from_proto(req.id()), req.pattern()));
  return resp;
}

}  // namespace combfs::metad::ops
