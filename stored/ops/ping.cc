// Ping: liveness probe for tests and fsctl; tells the node id once registered.
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_ping(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::PingRequest>(
      [&state](const proto::PingRequest&, rpc::RequestContext&) -> Result<proto::PingResponse> {
        proto::PingResponse resp;
        resp.set_service("stored");
        resp.set_node_id(state.node_id.load());
        return resp;
      });
}

}  // namespace combfs::stored
