// TruncateChunk: sets this target's chunk file to the file's local size here
// (striping::local_size); creates it when a file grows by truncate. The new
// size is synced before the answer: metad records the file's size durably
// next, and after a power loss a chunk file that grew back to its old length
// would put old bytes under the next write's measured size.
#include "stored/ops/chunk_op.h"
#include "stored/ops/mirrored.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_truncate_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::TruncateChunkRequest>(
      [&state](const proto::TruncateChunkRequest& req, rpc::RequestContext&) -> Result<proto::TruncateChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file(), req.mirror_group()));
        return run_mirrored(state, req, ref.file, {}, "truncate", [&]() -> Result<proto::TruncateChunkResponse> {
          if (auto done = state.chunks.truncate(*ref.target, ref.file, req.local_size()); !done)
            return error(storage_error(ref, "truncate", done.error()));
          if (auto done = state.chunks.fsync(*ref.target, ref.file); !done)
            return error(storage_error(ref, "fsync after truncate", done.error()));
          proto::TruncateChunkResponse resp;
          resp.set_write_epoch(ref.target->write_epoch());
          return resp;
        });
      });
}

}  // namespace combfs::stored
