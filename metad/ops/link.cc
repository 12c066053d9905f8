// Link: a new name for an existing non-directory; sent to the owner of the new
// parent. A file stored on another metad: metad/cross/link.cc.
#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::LinkResponse> link(OpsContext& ctx, const proto::LinkRequest& in) {
  // A file that moved away from here with its directory: its owner is stale.
  proto::LinkRequest fixed;
  const proto::LinkRequest* r = &in;
  if (in.owner() == 0 || in.owner() == ctx.store.node_id()) {
    if (auto to = ctx.store.moved_to(EntryId::from_proto(in.id()))) {
      fixed = in;
      fixed.set_owner(*to);
      r = &fixed;
    }
  }
  const proto::LinkRequest& req = *r;
  proto::LinkResponse resp;
  if (req.owner() != 0 && req.owner() != ctx.store.node_id()) {
    if (!ctx.cross) return error(proto::META_XDEV, "this metad cannot reach the metad that stores the file");
    auto slot = ctx.cross->try_slot();
    if (!slot) return std::unexpected(Cross::busy());
    *resp.mutable_info() = COMBFS_TRY(cross::link(*ctx.cross, req));
    return resp;
  }
  *resp.mutable_info() =
      COMBFS_TRY(ctx.store.link(EntryId::from_proto(req.id()), EntryId::from_proto(req.new_parent()), req.new_name()));
  return resp;
}

}  // namespace combfs::metad::ops
