// ReadLink: the target of a symbolic link.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::ReadLinkResponse> read_link(OpsContext& ctx, const proto::ReadLinkRequest& req) {
  proto::ReadLinkResponse resp;
  resp.set_target(COMBFS_TRY(ctx.store.read_link(EntryId::from_proto(req.id()))));
  return resp;
}

}  // namespace combfs::metad::ops
