// RemoteRepair: the repairs fsctl fsck --metadata --repair computed for this
// metad's rows, applied one by one (each skipped if its rows changed since).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteRepairResponse> remote_repair(MetaStore& store, const proto::RemoteRepairRequest& req) {
  proto::RemoteRepairResponse resp;
  for (const auto& r : req.repairs()) {
    if (COMBFS_TRY(store.apply_repair(r)))
      resp.add_applied(r.problem());
    else
      resp.add_skipped(r.problem());
  }
  return resp;
}

}  // namespace combfs::metad::ops
