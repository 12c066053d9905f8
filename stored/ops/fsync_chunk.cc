// FsyncChunk: makes this target's part of the file durable (fsync(2) from the client).
#include "stored/ops/chunk_op.h"
#include "stored/ops/mirrored.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_fsync_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::FsyncChunkRequest>(
      [&state](const proto::FsyncChunkRequest& req, rpc::RequestContext&) -> Result<proto::FsyncChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file(), req.mirror_group()));
        // Order does not matter: a sync makes durable whatever was applied.
        return run_mirrored(state, req, std::nullopt, {}, "fsync", [&]() -> Result<proto::FsyncChunkResponse> {
          if (auto done = state.chunks.fsync(*ref.target, ref.file); !done)
            return error(storage_error(ref, "fsync", done.error()));
          proto::FsyncChunkResponse resp;
          resp.set_write_epoch(ref.target->write_epoch());
          return resp;
        });
      });
}

}  // namespace combfs::stored
