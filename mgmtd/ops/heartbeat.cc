// Heartbeat: keeps a node online and refreshes its capacities / entry count.
// The answer carries the maps version so the daemon refreshes its map only
// when something changed.
#include <spdlog/spdlog.h>

#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

void add_heartbeat(rpc::Dispatcher& dispatcher, Registry& registry) {
  dispatcher.add<proto::HeartbeatRequest>(
      [&registry](const proto::HeartbeatRequest& req, rpc::RequestContext& ctx) -> Result<proto::HeartbeatResponse> {
        auto version = registry.heartbeat(req);
        if (!version) {
          spdlog::info("heartbeat from {} refused: {}", ctx.peer, version.error().to_string());
          return std::unexpected(version.error());
        }
        spdlog::debug("heartbeat from node {} at {} ({} targets); maps version {}", req.node_id(), ctx.peer,
                      req.targets_size(), *version);
        proto::HeartbeatResponse resp;
        resp.set_maps_version(*version);
        return resp;
      });
}

}  // namespace combfs::mgmtd
