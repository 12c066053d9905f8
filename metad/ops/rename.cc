// Rename: sent to the owner of the source directory. Within this metad it is
// one store transaction (plus journal steps for entries stored elsewhere);
// otherwise metad/cross/rename.cc.
#include "metad/cross/cross.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RenameResponse> rename(OpsContext& ctx, const proto::RenameRequest& in) {
  const uint32_t self = ctx.store.node_id();
  // A target directory that moved away from here (docs/metadata.md
  // "Migration"): the sender's dst_owner is stale; use where it went.
  proto::RenameRequest fixed;
  const proto::RenameRequest* r = &in;
  if (in.dst_owner() == 0 || in.dst_owner() == self) {
    if (auto to = ctx.store.moved_to(EntryId::from_proto(in.dst_parent()))) {
      fixed = in;
      fixed.set_dst_owner(*to);
      r = &fixed;
    }
  }
  const proto::RenameRequest& req = *r;
  const bool elsewhere = req.dst_owner() != 0 && req.dst_owner() != self;
  Result<void> done;
  if (!elsewhere) {
    JournalSeqs followups;
    done = ctx.store.rename(EntryId::from_proto(req.src_parent()), req.src_name(), EntryId::from_proto(req.dst_parent()),
                            req.dst_name(), req.flags(), &followups);
    if (done && ctx.cross) ctx.cross->run_followups(followups);
    if (done || done.error().code() != proto::META_NOT_OWNER) {
      if (!done) return std::unexpected(done.error());
      return proto::RenameResponse();
    }
  }
  if (!ctx.cross)
    return error(proto::META_XDEV, "this metad cannot reach other metads: rename across them is not possible");
  auto slot = ctx.cross->try_slot();
  if (!slot) return std::unexpected(Cross::busy());
  done = elsewhere ? cross::rename_out(*ctx.cross, req) : cross::rename_local(*ctx.cross, req);
  if (!done) return std::unexpected(done.error());
  return proto::RenameResponse();
}

}  // namespace combfs::metad::ops
