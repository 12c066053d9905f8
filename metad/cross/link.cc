// link across owners: the new name (here) for a file stored on another metad.
// The file's metad records the name first (one link more), the name is
// committed here last; a crash between takes the recorded name back.
#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

Result<proto::EntryInfo> link(Cross& c, const proto::LinkRequest& req) {
  const EntryId id = EntryId::from_proto(req.id());
  const EntryId parent = EntryId::from_proto(req.new_parent());
  int64_t seq = COMBFS_TRY(c.store().link_begin(id, req.owner(), parent, req.new_name()));
  JournalRunner::Claim claim(c.journal(), seq);
  COMBFS_CRASH_POINT(c, "link.begun");

  proto::RemoteNameRequest add;
  id.to_proto(add.mutable_id());
  add.set_add(true);
  add.set_node(c.self());
  parent.to_proto(add.mutable_parent());
  add.set_name(req.new_name());
  auto added = c.peers().call(req.owner(), add);
  if (!added) {
    (void)c.journal().finish(seq);
    return error(added.error());
  }
  COMBFS_CRASH_POINT(c, "link.added");
  if (auto committed = c.store().link_commit(seq, added->info().attr().type()); !committed) {
    (void)c.journal().finish(seq);
    return error(committed.error());
  }
  return std::move(*added->mutable_info());
}

}  // namespace combfs::metad::cross
