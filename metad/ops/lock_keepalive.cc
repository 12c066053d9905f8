// LockKeepalive: renews the client's lease here (its locks and its open
// files, metad/sessions.h), and tells it the lease length (to pace its
// renewals) and whether it lost locks or open files to an expired lease.
#include "metad/locks/lock_ops.h"

namespace combfs::metad::ops {

Result<proto::LockKeepaliveResponse> lock_keepalive(locks::LockService& service,
                                                    const proto::LockKeepaliveRequest& req) {
  if (req.client_id() == 0) return error(proto::INVALID_ARGUMENT, "lock keepalive without a client id");
  proto::LockKeepaliveResponse resp;
  resp.set_expired(service.renew_and_take_lost(req.client_id()));
  resp.set_lease_ms(static_cast<uint32_t>(service.lease().count()));
  resp.set_instance(service.instance());
  return resp;
}

}  // namespace combfs::metad::ops
