// RemoteMigrateIn: the rows of a directory that another metad moves here. The
// directory stays pending until the source committed the move (CONFIRM).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteMigrateInResponse> remote_migrate_in(MetaStore& store, const proto::RemoteMigrateInRequest& req) {
  COMBFS_CHECK(store.migrate_in(req));
  return proto::RemoteMigrateInResponse();
}

}  // namespace combfs::metad::ops
