// Close: undoes one Open; a writer's Close carries the size it measured on
// the targets, which becomes the file's size.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::CloseResponse> close(OpsContext& ctx, const proto::CloseRequest& req) {
  CloseArgs args;
  args.id = EntryId::from_proto(req.id());
  args.for_write = req.for_write();
  args.client_id = req.client_id();
  args.has_size = req.has_size();
  args.size = req.size();
  args.mtime_ns = req.mtime_ns();
  proto::CloseResponse resp;
  *resp.mutable_info() = COMBFS_TRY(ctx.store.close_file(args));
  return resp;
}

}  // namespace combfs::metad::ops
