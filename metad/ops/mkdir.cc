// MkDir: a directory in `parent`, inheriting its stripe pattern.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::MkDirResponse> mkdir(OpsContext& ctx, const proto::MkDirRequest& req) {
  proto::MkDirResponse resp;
  *resp.mutable_info() =
      COMBFS_TRY(ctx.store.mkdir(EntryId::from_proto(req.parent()), req.name(), req.mode(), req.uid(), req.gid()));
  return resp;
}

}  // namespace combfs::metad::ops
