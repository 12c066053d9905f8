// RemoveChunks: deletes chunk files of removed files (metad's removal queue).
// Missing files are fine, so a retried request succeeds.
#include "stored/ops/chunk_op.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_remove_chunks(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::RemoveChunksRequest>(
      [&state](const proto::RemoveChunksRequest& req, rpc::RequestContext&) -> Result<proto::RemoveChunksResponse> {
        uint32_t removed = 0;
        for (auto& file : req.files()) {
          auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), file));
          auto existed = state.chunks.remove(*ref.target, ref.file);
          if (!existed) return error(storage_error(ref, "remove", existed.error()));
          if (*existed) ++removed;
        }
        proto::RemoveChunksResponse resp;
        resp.set_removed(removed);
        return resp;
      });
}

}  // namespace combfs::stored
