// ListXattr: the names of an entry's extended attributes.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::ListXattrResponse> list_xattr(OpsContext& ctx, const proto::ListXattrRequest& req) {
  proto::ListXattrResponse resp;
  for (auto& name : COMBFS_TRY(ctx.store.list_xattr(EntryId::from_proto(req.id())))) resp.add_names(std::move(name));
  return resp;
}

}  // namespace combfs::metad::ops
