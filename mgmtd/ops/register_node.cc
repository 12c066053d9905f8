// RegisterNode: a daemon announces itself (and its targets) at startup and
// again whenever mgmtd says it does not know it. Ids are stable per uuid.
#include <spdlog/spdlog.h>

#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

void add_register_node(rpc::Dispatcher& dispatcher, Registry& registry) {
  dispatcher.add<proto::RegisterNodeRequest>(
      [&registry](const proto::RegisterNodeRequest& req, rpc::RequestContext& ctx) -> Result<proto::RegisterNodeResponse> {
        auto resp = registry.register_node(req);
        if (!resp) spdlog::warn("RegisterNode from {} refused: {}", ctx.peer, resp.error().to_string());
        return resp;
      });
}

}  // namespace combfs::mgmtd
