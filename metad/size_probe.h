// The size of a file as its storage targets hold it: StatChunk on every
// target of the layout, in parallel; the size is the largest end any chunk
// file implies (striping::file_end). The client measures the same way for a
// file with open writers; metad needs it when the last writer of a file died
// without saying what it wrote (metad/sessions.h).
#pragma once

#include <chrono>

#include "common/entry_id.h"
#include "common/rpc/client.h"
#include "metad/ops/ops.h"

namespace combfs::metad {

// Errors: an invalid layout (INVALID_ARGUMENT), a target missing from the map
// or offline, or one that does not answer within `timeout` (its error).
Result<uint64_t> measure_size(rpc::RpcClient& rpc, const ClusterMapSource& cluster_map, EntryId id,
                              const proto::Layout& layout, std::chrono::milliseconds timeout);

}  // namespace combfs::metad
