// Open: counts the opener, so writers make stat ask the targets for the size
// and an unlinked file keeps its chunks until the last Close.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::OpenResponse> open(OpsContext& ctx, const proto::OpenRequest& req) {
  proto::OpenResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.open_file(EntryId::from_proto(req.id()), req.for_write(), req.client_id()));
  return resp;
}

}  // namespace combfs::metad::ops
