// MkDir: a directory in `parent`, inheriting its stripe pattern, on the metad
// that the directory placement policy chooses (metad/cross/dir_placement.h).
// When that is another metad and it cannot be reached, or this metad has no
// request thread to spare for waiting on it, the directory stays here.
#include <spdlog/spdlog.h>

#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::MkDirResponse> mkdir(OpsContext& ctx, const proto::MkDirRequest& req) {
  proto::MkDirResponse resp;
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
