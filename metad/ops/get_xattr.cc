// GetXattr: one extended attribute's value (the client handles size probes).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::GetXattrResponse> get_xattr(OpsContext& ctx, const proto::GetXattrRequest& req) {
  proto::GetXattrResponse resp;
  resp.set_value(COMBFS_TRY(ctx.store.get_xattr(EntryId::from_proto(req.id()), req.name())));
  return resp;
}

}  // namespace combfs::metad::ops
