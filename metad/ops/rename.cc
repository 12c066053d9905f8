// Rename: both directories must be on this metad (cross-metad rename comes
// with distributed metadata).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RenameResponse> rename(OpsContext& ctx, const proto::RenameRequest& req) {
  COMBFS_CHECK(ctx.store.rename(EntryId::from_proto(req.src_parent()), req.src_name(),
                                EntryId::from_proto(req.dst_parent()), req.dst_name(), req.flags()));
  return proto::RenameResponse();
}

}  // namespace combfs::metad::ops
