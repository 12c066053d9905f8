// RmDir: removes an empty directory (metad/cross/rmdir.cc when the directory
// is stored on another metad).
#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RmDirResponse> rmdir(OpsContext& ctx, const proto::RmDirRequest& req) {
  const EntryId parent = EntryId::from_proto(req.parent());
  auto done = ctx.store.rmdir(parent, req.name());
  if (!done && done.error().code() == proto::META_NOT_OWNER && ctx.cross) {
    auto slot = ctx.cross->try_slot();
    if (!slot) return std::unexpected(Cross::busy());
    done = cross::rmdir(*ctx.cross, parent, req.name());
  }
  if (!done) return std::unexpected(done.error());
  return proto::RmDirResponse();
}

}  // namespace combfs::metad::ops
