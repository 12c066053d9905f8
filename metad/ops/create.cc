// Create: a regular file (targets chosen by placement from the current cluster
// map) or a special node. The map is fetched before the store transaction so
// no network wait happens under the store's lock.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::CreateResponse> create(OpsContext& ctx, const proto::CreateRequest& req) {
  CreateArgs args;
  args.parent = EntryId::from_proto(req.parent());
  args.name = req.name();
  args.mode = req.mode();
  args.uid = req.uid();
  args.gid = req.gid();
  args.rdev = req.rdev();
  args.exclusive = req.exclusive();
  args.open_for_write = req.open_for_write();
  args.client_id = req.client_id();

  auto map = ctx.cluster_map();
  auto choose = [&](const proto::StripePattern& pattern) -> Result<std::vector<uint32_t>> {
    if (!map) return std::unexpected(map.error());  // only matters when a file really needs targets
    return ctx.placement.choose((*map)->targets, pattern);
  };
  CreateResult result = COMBFS_TRY(ctx.store.create(args, choose));
  proto::CreateResponse resp;
  *resp.mutable_info() = std::move(result.info);
  resp.set_created(result.created);
  return resp;
}

}  // namespace combfs::metad::ops
