// Symlink: a symbolic link named `name` in `parent` pointing to `target`.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::SymlinkResponse> symlink(OpsContext& ctx, const proto::SymlinkRequest& req) {
  proto::SymlinkResponse resp;
  *resp.mutable_info() =
      COMBFS_TRY(ctx.store.symlink(EntryId::from_proto(req.parent()), req.name(), req.target(), req.uid(), req.gid()));
  return resp;
}

}  // namespace combfs::metad::ops
