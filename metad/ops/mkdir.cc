// MkDir: a directory in `parent`, inheriting its stripe pattern, on the metad
// that the directory placement policy chooses (metad/cross/dir_placement.h).
// When that is another metad and it cannot be reached, or this metad has no
// request thread to spare for waiting on it, the directory stays here.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

namespace {

// A hashed directory: the directory where placement says, its shards spread
// over the metads (DirPlacement::choose_shards). Always through cross::mkdir,
// which creates the shards before the directory and the name last.
Result<proto::MkDirResponse> hashed_mkdir(OpsContext& ctx, const proto::MkDirRequest& req) {
  COMBFS_CHECK(cross::check_shard_count(req.hash_shards()));
  if (!ctx.cross)
    return error(proto::NOT_SUPPORTED, "this metad runs without cross-owner operations, so it cannot create hashed "
                                       "directories");
  auto map = COMBFS_TRY(ctx.cluster_map());
  const uint32_t node = ctx.cross->placement().choose(*map);
  const std::vector<uint32_t> shard_nodes = ctx.cross->placement().choose_shards(*map, req.hash_shards());
  const uint32_t self = ctx.store.node_id();
  bool elsewhere = node != self;
  for (uint32_t n : shard_nodes) elsewhere |= n != self;
  auto slot = elsewhere ? ctx.cross->try_slot() : std::optional<Cross::Slot>();
  if (elsewhere && !slot) return std::unexpected(Cross::busy());
  proto::MkDirResponse resp;
  *resp.mutable_info() = COMBFS_TRY(cross::mkdir(*ctx.cross, req, node, shard_nodes));
  return resp;
}

}  // namespace

Result<proto::MkDirResponse> mkdir(OpsContext& ctx, const proto::MkDirRequest& req) {
  proto::MkDirResponse resp;
  if (req.hash_shards() > 1) return hashed_mkdir(ctx, req);  // 0 and 1: a plain directory
  if (ctx.cross) {
    uint32_t node = ctx.store.node_id();
    if (auto map = ctx.cluster_map()) node = ctx.cross->placement().choose(**map);
    if (node != ctx.store.node_id()) {
      if (auto slot = ctx.cross->try_slot()) {
        auto remote = cross::mkdir(*ctx.cross, req, node);
        if (remote) {
          *resp.mutable_info() = std::move(*remote);
          return resp;
        }
        // Answers about the name are final; a metad that cannot be reached is not.
        if (!remote.error().retryable()) return std::unexpected(remote.error());
        spdlog::warn("mkdir '{}': cannot place the directory on metad {} ({}); keeping it here", req.name(), node,
                     remote.error().to_string());
      }
    }
  }
  *resp.mutable_info() =
      COMBFS_TRY(ctx.store.mkdir(EntryId::from_proto(req.parent()), req.name(), req.mode(), req.uid(), req.gid(),
                                 req.umask()));
  return resp;
}

}  // namespace combfs::metad::ops
