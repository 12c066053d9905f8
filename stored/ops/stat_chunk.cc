// StatChunk: existence, local size and mtime of a chunk file; the client
// derives the size of a file open for writing from these (docs/architecture.md).
#include "stored/ops/chunk_op.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_stat_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::StatChunkRequest>(
      [&state](const proto::StatChunkRequest& req, rpc::RequestContext&) -> Result<proto::StatChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file(), req.mirror_group()));
        auto st = state.chunks.stat(*ref.target, ref.file);
        if (!st) return error(storage_error(ref, "stat", st.error()));
        proto::StatChunkResponse resp;
        resp.set_exists(st->exists);
        resp.set_local_size(st->size);
        resp.set_mtime_ns(st->mtime_ns);
        resp.set_checksummed(st->checksummed);
        resp.set_write_epoch(ref.target->write_epoch());
        return resp;
      });
}

}  // namespace combfs::stored
