// RemoteDirCreate: the first step of a mkdir whose parent lives on another
// metad; the new directory stays pending until that metad confirms it.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteDirCreateResponse> remote_dir_create(MetaStore& store, const proto::RemoteDirCreateRequest& req) {
  proto::RemoteDirCreateResponse resp;
  *resp.mutable_info() = COMBFS_TRY(store.remote_dir_create(req));
  return resp;
}

}  // namespace combfs::metad::ops
