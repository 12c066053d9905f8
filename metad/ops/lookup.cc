// Lookup: the entry named `name` in directory `parent`.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::LookupResponse> lookup(OpsContext& ctx, const proto::LookupRequest& req) {
  proto::LookupResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.lookup(EntryId::from_proto(req.parent()), req.name()));
  return resp;
}

}  // namespace combfs::metad::ops
