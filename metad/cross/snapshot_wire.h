// MetaStore::Snapshot on the wire (RemoteSnapshot), so that one metad can
// check the namespace over every metad's rows (fsctl fsck --metadata).
#pragma once

#include "metad/store/store.h"

namespace combfs::metad {

proto::RemoteSnapshotResponse snapshot_to_wire(const MetaStore::Snapshot& snap);
MetaStore::Snapshot snapshot_from_wire(const proto::RemoteSnapshotResponse& wire);

}  // namespace combfs::metad
