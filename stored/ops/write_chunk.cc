// WriteChunk: the request's bulk payload goes to the chunk file at the local offset.
#include "stored/ops/chunk_op.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_write_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::WriteChunkRequest>(
      [&state](const proto::WriteChunkRequest& req, rpc::RequestContext& ctx) -> Result<proto::WriteChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file()));
        // Later: verify the client's per-64KiB CRC32C here before writing (DESIGN.md "Data integrity").
        if (auto done = state.chunks.write(*ref.target, ref.file, req.offset(), ctx.bulk_in); !done)
          return error(storage_error(ref, "write", done.error()));
        proto::WriteChunkResponse resp;
        resp.set_written(ctx.bulk_in.size());
        resp.set_write_epoch(ref.target->write_epoch());
        return resp;
      });
}

}  // namespace combfs::stored
