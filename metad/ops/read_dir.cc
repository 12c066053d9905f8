// ReadDir: one page of a directory listing, continued by cookie.
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::ReadDirResponse> read_dir(OpsContext& ctx, const proto::ReadDirRequest& req) {
  return ctx.store.read_dir(EntryId::from_proto(req.id()), req.cookie(), req.max_entries(), req.plus());
}

}  // namespace combfs::metad::ops
