// RemoteOpApplied: did a RemoteInsertDentry arrive (and, with fence, never let it arrive later)?
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteOpAppliedResponse> remote_op_applied(MetaStore& store, const proto::RemoteOpAppliedRequest& req) {
  return store.op_applied(req.origin(), req.op(), req.fence());
}

}  // namespace combfs::metad::ops
