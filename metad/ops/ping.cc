// Ping: liveness probe; names the service and this metad's node id.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::PingResponse> ping(OpsContext& ctx, const proto::PingRequest&) {
  proto::PingResponse resp;
  resp.set_service("metad");
  resp.set_node_id(ctx.store.node_id());
  return resp;
}

}  // namespace combfs::metad::ops
