// GetLock: F_GETLK, the first lock of another owner in the way of a request.
#include "metad/locks/lock_ops.h"

namespace combfs::metad::ops {

Result<proto::GetLockResponse> get_lock(locks::LockService& service, const proto::GetLockRequest& req) {
  auto probe = COMBFS_TRY(locks::to_request(req.id(), req.client_id(), req.owner(), req.kind(), req.range()));
  auto found = service.with_table(req.client_id(), [&](locks::LockTable& t, int64_t) {
    return t.test(probe.file, probe.kind, probe.owner, probe.type, probe.start, probe.end);
  });
  proto::GetLockResponse resp;
  if (found) {
    resp.set_conflict(true);
    *resp.mutable_lock() = locks::to_proto(*found);
  }
  return resp;
}

}  // namespace combfs::metad::ops
