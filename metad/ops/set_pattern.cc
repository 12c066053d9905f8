// SetPattern: the stripe pattern new files in a directory inherit (fsctl setpattern).
// A buddymirror pattern stripes over mirror groups: it is refused when the
// pool has fewer groups than it asks for, so that the administrator learns it
// now rather than from files that quietly get fewer copies of the stripe.
#include <fmt/format.h>

#include "metad/ops/ops.h"
#include "metad/placement.h"

namespace combfs::metad::ops {

namespace {

Result<void> check_groups(OpsContext& ctx, const proto::StripePattern& pattern) {
  auto& source = ctx.mgmtd_cluster_map ? ctx.mgmtd_cluster_map
                 : ctx.fresh_cluster_map ? ctx.fresh_cluster_map
                                         : ctx.cluster_map;
  auto map = COMBFS_TRY(source());
  const size_t have = groups_in_pool(map->targets, map->mirror_groups, pattern.pool_id());
  if (have == 0)
    return error(proto::MGMT_NO_TARGETS,
                 fmt::format("pool {} has no mirror groups, so buddymirror files could not be placed: pair the "
                             "storage targets first with `fsctl addmirrorgroup --automatic`",
                             pattern.pool_id()));
  if (have < pattern.num_targets())
    return error(proto::MGMT_NO_TARGETS,
                 fmt::format("the pattern asks for {} mirror groups but pool {} has {}: use --numtargets {} or add "
                             "groups (`fsctl addmirrorgroup --automatic` pairs the unpaired targets)",
                             pattern.num_targets(), pattern.pool_id(), have, have));
  return {};
}

}  // namespace

Result<proto::SetPatternResponse> set_pattern(OpsContext& ctx, const proto::SetPatternRequest& req) {
  if (req.pattern().type() == proto::PATTERN_BUDDYMIRROR) COMBFS_CHECK(check_groups(ctx, req.pattern()));
  proto::SetPatternResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.set_pattern(EntryId::from_proto(req.id()), req.pattern()));
  return resp;
}

}  // namespace combfs::metad::ops
