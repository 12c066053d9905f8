// SetXattr: sets an extended attribute (flags: XATTR_CREATE / XATTR_REPLACE).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::SetXattrResponse> set_xattr(OpsContext& ctx, const proto::SetXattrRequest& req) {
  std::vector<uint32_t> groups(req.caller_groups().begin(), req.caller_groups().end());
  COMBFS_CHECK(ctx.store.set_xattr(EntryId::from_proto(req.id()), req.name(), req.value(), req.flags(), groups));
  return proto::SetXattrResponse();
}

}  // namespace combfs::metad::ops
