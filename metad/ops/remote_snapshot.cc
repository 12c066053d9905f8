// RemoteSnapshot: every row of this metad that says how the namespace hangs
// together, for the metad that runs fsctl fsck --metadata, a page at a time.
#include "metad/cross/snapshot_wire.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteSnapshotResponse> remote_snapshot(MetaStore& store, const proto::RemoteSnapshotRequest& req) {
  const uint32_t max_rows = req.max_rows() ? req.max_rows() : kSnapshotPageRows;
  const EntryId inodes_after = EntryId::from_proto(req.inodes_after());
  auto page = COMBFS_TRY(store.snapshot_page(inodes_after, req.dentries_after(), max_rows, req.first()));
  auto wire = snapshot_to_wire(page);
  (page.inodes.empty() ? inodes_after : page.inodes.back().id).to_proto(wire.mutable_inodes_after());
  wire.set_dentries_after(page.dentries.empty() ? req.dentries_after() : page.dentries.back().seq);
  wire.set_more(page.inodes.size() == max_rows || page.dentries.size() == max_rows);
  return wire;
}

}  // namespace combfs::metad::ops
