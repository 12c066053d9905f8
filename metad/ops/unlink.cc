// Unlink: removes a name; the chunks follow through the removal queue once the
// file has no link and no opener left. A file stored on another metad loses
// the link there afterwards (journal record).
#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::UnlinkResponse> unlink(OpsContext& ctx, const proto::UnlinkRequest& req) {
  JournalSeqs followups;
  COMBFS_CHECK(ctx.store.unlink(EntryId::from_proto(req.parent()), req.name(), &followups));
  if (ctx.cross) ctx.cross->run_followups(followups);
  return proto::UnlinkResponse();
}

}  // namespace combfs::metad::ops
