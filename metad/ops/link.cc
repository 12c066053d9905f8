// Link: a new name for an existing non-directory.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::LinkResponse> link(OpsContext& ctx, const proto::LinkRequest& req) {
  proto::LinkResponse resp;
  *resp.mutable_info() =
      COMBFS_TRY(ctx.store.link(EntryId::from_proto(req.id()), EntryId::from_proto(req.new_parent()), req.new_name()));
  return resp;
}

}  // namespace combfs::metad::ops
