// RemoteSnapshot: every row of this metad that says how the namespace hangs
// together, for the metad that runs fsctl fsck --metadata.
#include "metad/cross/snapshot_wire.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

Result<proto::RemoteSnapshotResponse> remote_snapshot(MetaStore& store, const proto::RemoteSnapshotRequest&) {
  return snapshot_to_wire(COMBFS_TRY(store.snapshot()));
}

}  // namespace combfs::metad::ops
