// RemoveChunks: deletes chunk files of removed files (metad's removal queue).
// Missing files are fine, so a retried request succeeds. For a mirrored file
// the primary removes its copies and forwards the request (mirrored.h), so
// both copies go.
#include "stored/ops/chunk_op.h"
#include "stored/ops/mirrored.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_remove_chunks(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::RemoveChunksRequest>(
      [&state](const proto::RemoveChunksRequest& req, rpc::RequestContext&) -> Result<proto::RemoveChunksResponse> {
        // No order lock: removal is final and repeatable.
        return run_mirrored(state, req, std::nullopt, {}, "removal", [&]() -> Result<proto::RemoveChunksResponse> {
          uint32_t removed = 0;
          for (auto& file : req.files()) {
            auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), file, req.mirror_group()));
            auto existed = state.chunks.remove(*ref.target, ref.file);
            if (!existed) return error(storage_error(ref, "remove", existed.error()));
            if (*existed) ++removed;
          }
          proto::RemoveChunksResponse resp;
          resp.set_removed(removed);
          return resp;
        });
      });
}

}  // namespace combfs::stored
