// WriteChunk: the request's bulk payload goes to the chunk file at the local
// offset, after its CRC32Cs (one per 64 KiB piece, common/checksum.h) were
// checked: bytes damaged on the way are refused, never stored. A mirrored
// chunk file's primary then forwards the write with its CRCs (mirrored.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/checksum.h"
#include "stored/ops/chunk_op.h"
#include "stored/ops/mirrored.h"
#include "stored/ops/ops.h"

namespace combfs::stored {

void add_write_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::WriteChunkRequest>(
      [&state](const proto::WriteChunkRequest& req, rpc::RequestContext& ctx) -> Result<proto::WriteChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file(), req.mirror_group()));
        std::span<const uint32_t> crcs(req.crcs().data(), static_cast<size_t>(req.crcs().size()));
        const size_t pieces = checksum::piece_count(req.offset(), ctx.bulk_in.size());
        if (crcs.size() != pieces)
          return error(proto::INVALID_ARGUMENT,
                       fmt::format("WriteChunk of {} bytes at local offset {} of file {} carries {} checksums, not the "
                                   "{} its 64 KiB pieces need; the client is too old or broken",
                                   ctx.bulk_in.size(), req.offset(), ref.file.to_string(), crcs.size(), pieces));
        if (auto bad = checksum::first_mismatch(req.offset(), ctx.bulk_in, crcs)) {
          const auto piece = checksum::piece(req.offset(), ctx.bulk_in.size(), *bad);
          Status status(proto::STORAGE_CHECKSUM_MISMATCH,
                        fmt::format("target {}: write of file {} refused: the {} bytes at local offset {} do not match "
                                    "the CRC32C sent with them (damaged on the way); nothing was written",
                                    ref.target_id, ref.file.to_string(), piece.length, piece.offset));
          spdlog::error("{}", status.message());
          return error(std::move(status));
        }
        return run_mirrored(state, req, ref.file, ctx.bulk_in, "write", [&]() -> Result<proto::WriteChunkResponse> {
          if (auto done = state.chunks.write(*ref.target, ref.file, req.offset(), ctx.bulk_in, crcs); !done)
            return error(storage_error(ref, "write", done.error()));
          proto::WriteChunkResponse resp;
          resp.set_written(ctx.bulk_in.size());
          resp.set_write_epoch(ref.target->write_epoch());
          return resp;
        });
      });
}

}  // namespace combfs::stored
