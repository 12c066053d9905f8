// RemoteDirState: confirm/abort a remote mkdir, prepare/cancel/finish a remote rmdir.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteDirStateResponse> remote_dir_state(MetaStore& store, const proto::RemoteDirStateRequest& req) {
  COMBFS_CHECK(store.remote_dir_state(EntryId::from_proto(req.id()), req.action(), req.shards_prepared()));
  return proto::RemoteDirStateResponse();
}

}  // namespace combfs::metad::ops
