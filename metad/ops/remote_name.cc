// RemoteName: a name on another metad of a file stored here appears or goes.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteNameResponse> remote_name(MetaStore& store, const proto::RemoteNameRequest& req) {
  proto::RemoteNameResponse resp;
  *resp.mutable_info() = COMBFS_TRY(store.remote_name(req));
  return resp;
}

}  // namespace combfs::metad::ops
