// ListMigrations (fsctl listmigrations): the moves this metad made as the source.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::ListMigrationsResponse> list_migrations(OpsContext& ctx, const proto::ListMigrationsRequest&) {
  proto::ListMigrationsResponse resp;
  for (auto& m : COMBFS_TRY(ctx.store.migrations())) *resp.add_moves() = std::move(m);
  return resp;
}

}  // namespace combfs::metad::ops
