// SetHash: an empty directory becomes hashed (fsctl sethash K DIR); its shards
// are spread like those of a hashed mkdir (metad/cross/sethash.cc).
#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::SetHashResponse> set_hash(OpsContext& ctx, const proto::SetHashRequest& req) {
  COMBFS_CHECK(cross::check_shard_count(req.shards()));
  if (!ctx.cross)
    return error(proto::NOT_SUPPORTED, "this metad runs without cross-owner operations, so it cannot hash directories");
  auto map = COMBFS_TRY(ctx.cluster_map());
  const std::vector<uint32_t> shard_nodes = ctx.cross->placement().choose_shards(*map, req.shards());
  bool elsewhere = false;
  for (uint32_t n : shard_nodes) elsewhere |= n != ctx.store.node_id();
  auto slot = elsewhere ? ctx.cross->try_slot() : std::optional<Cross::Slot>();
  if (elsewhere && !slot) return std::unexpected(Cross::busy());
  proto::SetHashResponse resp;
  *resp.mutable_info() = COMBFS_TRY(cross::sethash(*ctx.cross, EntryId::from_proto(req.id()), shard_nodes));
  return resp;
}

}  // namespace combfs::metad::ops
