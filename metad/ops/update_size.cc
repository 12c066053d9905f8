// UpdateSize: fsync records the size and mtime the client measured.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::UpdateSizeResponse> update_size(OpsContext& ctx, const proto::UpdateSizeRequest& req) {
  proto::UpdateSizeResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.update_size(EntryId::from_proto(req.id()), req.size(), req.mtime_ns()));
  return resp;
}

}  // namespace combfs::metad::ops
