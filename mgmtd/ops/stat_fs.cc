// StatFs: cluster-wide capacity (online targets) and entry count (`df`, statfs(2)).
#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

void add_stat_fs(rpc::Dispatcher& dispatcher, Registry& registry) {
  dispatcher.add<proto::StatFsRequest>(
      [&registry](const proto::StatFsRequest&, rpc::RequestContext&) -> Result<proto::StatFsResponse> {
        return registry.stat_fs();
      });
}

}  // namespace combfs::mgmtd
