// GetMaps: the versioned node and target maps (unchanged=true when the caller
// already has the current version).
#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

void add_get_maps(rpc::Dispatcher& dispatcher, Registry& registry) {
  dispatcher.add<proto::GetMapsRequest>(
      [&registry](const proto::GetMapsRequest& req, rpc::RequestContext&) -> Result<proto::GetMapsResponse> {
        return registry.get_maps(req.known_version());
      });
}

}  // namespace combfs::mgmtd
