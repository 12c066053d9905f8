// RmDir: removes an empty directory.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RmDirResponse> rmdir(OpsContext& ctx, const proto::RmDirRequest& req) {
  COMBFS_CHECK(ctx.store.rmdir(EntryId::from_proto(req.parent()), req.name()));
  return proto::RmDirResponse();
}

}  // namespace combfs::metad::ops
