// Unlink: removes a name; the chunks follow through the removal queue once the
// file has no link and no opener left.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::UnlinkResponse> unlink(OpsContext& ctx, const proto::UnlinkRequest& req) {
  COMBFS_CHECK(ctx.store.unlink(EntryId::from_proto(req.parent()), req.name()));
  return proto::UnlinkResponse();
}

}  // namespace combfs::metad::ops
