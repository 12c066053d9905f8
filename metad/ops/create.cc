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
  args.umask = req.umask();
  args.exclusive = req.exclusive();
  args.open_for_write = req.open_for_write();
  args.client_id = req.client_id();

  // A target that registered after our last map refresh is invisible to
  // placement; when the cached map offers fewer targets than the pattern asks
  // for, fetch the map from mgmtd once and try again before settling for fewer.
  bool short_of_targets = false;
  auto attempt = [&](const Result<std::shared_ptr<const ClusterMap>>& map, bool last) {
    auto choose = [&](const proto::StripePattern& pattern) -> Result<std::vector<uint32_t>> {
      if (!map) return std::unexpected(map.error());  // only matters when a file really needs targets
      auto chosen = ctx.placement.choose((*map)->targets, (*map)->mirror_groups, pattern);
      if (!last && (!chosen || chosen->size() < pattern.num_targets())) {
        short_of_targets = true;
        return error(proto::UNAVAILABLE, "cluster map may be stale");
      }
      return chosen;
    };
    return ctx.store.create(args, choose);
  };
  auto result = attempt(ctx.cluster_map(), !ctx.fresh_cluster_map);
  if (!result && short_of_targets) result = attempt(ctx.fresh_cluster_map(), true);
  if (!result) return std::unexpected(result.error());
  proto::CreateResponse resp;
  *resp.mutable_info() = std::move(result->info);
  resp.set_created(result->created);
  return resp;
}

}  // namespace combfs::metad::ops
