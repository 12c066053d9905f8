// MetaStore::Snapshot on the wire (RemoteSnapshot), so that one metad can
// check the namespace over every metad's rows (fsctl fsck --metadata).
#pragma once

#include "metad/store/store.h"

namespace combfs::metad {

// Rows per table in one RemoteSnapshot page: far below the 4 MiB message
// limit even with 255-byte names.
inline constexpr uint32_t kSnapshotPageRows = 4096;

proto::RemoteSnapshotResponse snapshot_to_wire(const MetaStore::Snapshot& snap);
MetaStore::Snapshot snapshot_from_wire(const proto::RemoteSnapshotResponse& wire);
// Appends the rows of `page` (a later page of the same metad) to `snap`.
void append_snapshot(MetaStore::Snapshot& snap, MetaStore::Snapshot page);

}  // namespace combfs::metad
