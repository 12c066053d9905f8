// RemoteInsertDentry: the target side of a rename from a directory on another metad.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteInsertDentryResponse> remote_insert_dentry(MetaStore& store,
                                                               const proto::RemoteInsertDentryRequest& req) {
  return store.remote_insert_dentry(req);
}

}  // namespace combfs::metad::ops
