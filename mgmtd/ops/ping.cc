// Ping: liveness probe for tests and fsctl.
#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

void add_ping(rpc::Dispatcher& dispatcher) {
  dispatcher.add<proto::PingRequest>([](const proto::PingRequest&, rpc::RequestContext&) -> Result<proto::PingResponse> {
    proto::PingResponse resp;
    resp.set_service("mgmtd");
    return resp;
  });
}

}  // namespace combfs::mgmtd
