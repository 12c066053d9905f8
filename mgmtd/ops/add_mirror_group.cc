// AddMirrorGroup: fsctl addmirrorgroup pairs targets into mirror groups.
#include <spdlog/spdlog.h>

#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

void add_add_mirror_group(rpc::Dispatcher& dispatcher, Registry& registry) {
  dispatcher.add<proto::AddMirrorGroupRequest>(
      [&registry](const proto::AddMirrorGroupRequest& req,
                  rpc::RequestContext& ctx) -> Result<proto::AddMirrorGroupResponse> {
        auto resp = registry.add_mirror_groups(req);
        if (!resp) spdlog::warn("AddMirrorGroup from {} refused: {}", ctx.peer, resp.error().to_string());
        return resp;
      });
}

}  // namespace combfs::mgmtd
