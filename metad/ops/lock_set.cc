// SetLock: F_SETLK/F_SETLKW/flock on a file this metad owns. A waiting client
// asks again until granted (or interrupted: cancel_wait), so no request
// thread ever blocks here.
#include "metad/locks/lock_ops.h"

namespace combfs::metad::ops {

Result<proto::SetLockResponse> set_lock(locks::LockService& service, const proto::SetLockRequest& req) {
  auto lock = COMBFS_TRY(locks::to_request(req.id(), req.client_id(), req.owner(), req.kind(), req.range()));
  lock.wait = req.wait();
  proto::SetLockResponse resp;
  if (req.cancel_wait()) {
    service.with_table(req.client_id(), [&](locks::LockTable& t, int64_t) { t.cancel_wait(lock.owner); });
    resp.set_result(proto::LOCK_WOULD_BLOCK);
    return resp;
  }
  auto result = service.with_table(req.client_id(), [&](locks::LockTable& t, int64_t now) { return t.set(lock, now); });
  switch (result.outcome) {
    case locks::Outcome::granted: resp.set_result(proto::LOCK_GRANTED); break;
    case locks::Outcome::would_block: resp.set_result(proto::LOCK_WOULD_BLOCK); break;
    case locks::Outcome::deadlock: resp.set_result(proto::LOCK_DEADLOCK); break;
  }
  if (result.conflict) *resp.mutable_conflict() = locks::to_proto(*result.conflict);
  return resp;
}

}  // namespace combfs::metad::ops
