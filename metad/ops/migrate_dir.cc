// MigrateDir (fsctl migrate, the balancer): moves one directory stored here to
// another metad; metad/cross/migrate.cc has the steps.
#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::MigrateDirResponse> migrate_dir(OpsContext& ctx, const proto::MigrateDirRequest& req) {
  if (!ctx.cross) return error(proto::NOT_SUPPORTED, "this metad runs without peers (test setup): nothing to move to");
  // Redirected like any request when the directory moved away; not gated
  // (the move freezes the directory itself).
  COMBFS_CHECK(cross::admit(ctx.store, nullptr, {EntryId::from_proto(req.dir())}));
  return cross::migrate_dir(*ctx.cross, req);
}

}  // namespace combfs::metad::ops
