// ReadChunk: up to `length` bytes at the local offset, as the reply's bulk
// payload; shorter at the end of the chunk file, empty when it does not exist.
#include <fmt/format.h>

#include "stored/ops/chunk_op.h"
#include "stored/ops/ops.h"

namespace combfs::stored {
namespace {

constexpr uint32_t kSendfileFrom = 64 * 1024;

}  // namespace

void add_read_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::ReadChunkRequest>(
      [&state](const proto::ReadChunkRequest& req, rpc::RequestContext& ctx) -> Result<proto::ReadChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file()));
        if (req.length() > state.max_read_bytes)
          return error(proto::INVALID_ARGUMENT,
                       fmt::format("ReadChunk of {} bytes exceeds the {} byte limit of one reply; split the read",
                                   req.length(), state.max_read_bytes));
        // Large reads go from the chunk file to the socket with sendfile(2)
        // (rpc::BulkFile): no copy into this process and back out. Small ones
        // are cheaper as pread + one gathered write than as fstat + write +
        // sendfile.
        size_t length = 0;
        if (req.length() >= kSendfileFrom) {
          auto region = state.chunks.region(*ref.target, ref.file, req.offset(), req.length());
          if (!region) return error(storage_error(ref, "read", region.error()));
          length = region->length;
          if (length > 0) ctx.bulk_file = {region->fd, req.offset(), length, std::move(region->keep)};
        } else {
          ctx.bulk_out.resize(req.length());
          auto n = state.chunks.read(*ref.target, ref.file, req.offset(), ctx.bulk_out);
          if (!n) {
            ctx.bulk_out.clear();
            return error(storage_error(ref, "read", n.error()));
          }
          length = *n;
          ctx.bulk_out.resize(length);
        }
        proto::ReadChunkResponse resp;
        resp.set_length(static_cast<uint32_t>(length));
        return resp;
      });
}

}  // namespace combfs::stored
