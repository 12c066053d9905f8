// The lock request handlers (metad/ops/lock_*.cc) and the wire <-> table
// conversions they share. Like the other handlers they validate the request,
// call the table and turn the result into the response; they are kept apart
// from metad/ops/ops.h because they need the LockService, not the store.
#pragma once

#include "common/status.h"
#include "metad/locks/lock_service.h"
#include "proto/meta.pb.h"

namespace combfs::metad {

namespace locks {
// INVALID_ARGUMENT for a range with start > end or end beyond kToEof, an
// unknown kind or type, or a zero client id.
Result<LockRequest> to_request(const proto::EntryId& id, uint64_t client_id, uint64_t owner, proto::LockKind kind,
                               const proto::LockRange& range);
proto::LockRange to_proto(const Lock& lock);
}  // namespace locks

namespace ops {
Result<proto::SetLockResponse> set_lock(locks::LockService& service, const proto::SetLockRequest& req);
Result<proto::GetLockResponse> get_lock(locks::LockService& service, const proto::GetLockRequest& req);
Result<proto::LockKeepaliveResponse> lock_keepalive(locks::LockService& service,
                                                    const proto::LockKeepaliveRequest& req);
}  // namespace ops

}  // namespace combfs::metad
