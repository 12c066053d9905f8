// RemoteMigrateDrop: a move to this metad gave up before it committed; the
// copy goes (only while it is still pending).
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteMigrateDropResponse> remote_migrate_drop(MetaStore& store, const proto::RemoteMigrateDropRequest& req) {
  COMBFS_CHECK(store.migrate_drop(EntryId::from_proto(req.dir()), req.origin()));
  return proto::RemoteMigrateDropResponse();
}

}  // namespace combfs::metad::ops
