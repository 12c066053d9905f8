// ReadChunk: up to `length` bytes at the local offset, as the reply's bulk
// payload; shorter at the end of the chunk file, empty (and `absent`) when it
// does not exist. The bytes travel with one CRC32C per 64 KiB piece
// (docs/mirroring.md "Checksums"):
// - whole blocks (the usual large read) go straight from the page cache to the
//   socket with sendfile(2), with the CRCs the sidecar records: no copy
//   through stored, and the client's check is the check (on a mismatch it
//   asks again with `verify`);
// - anything else (a partial block, `verify`, a small read) is read into
//   memory and checked here first (ChunkStore::read), so stored reports
//   corruption itself; what was checked is what is sent.
// A damaged block of a mirrored chunk file is repaired on the primary from
// the secondary's copy before the answer (repair.h): the client gets the
// right bytes and the copy is whole again.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stored/ops/chunk_op.h"
#include "stored/ops/ops.h"
#include "stored/ops/repair.h"

namespace combfs::stored {
namespace {

// Below this, pread + one gathered write is cheaper than fstat + write + sendfile.
constexpr uint32_t kSendfileFrom = 64 * 1024;

}  // namespace

void add_read_chunk(rpc::Dispatcher& dispatcher, StoredState& state) {
  dispatcher.add<proto::ReadChunkRequest>(
      [&state](const proto::ReadChunkRequest& req, rpc::RequestContext& ctx) -> Result<proto::ReadChunkResponse> {
        auto ref = COMBFS_TRY(resolve_chunk(state, req.target_id(), req.file(), req.mirror_group()));
        if (req.length() > state.max_read_bytes)
          return error(proto::INVALID_ARGUMENT,
                       fmt::format("ReadChunk of {} bytes exceeds the {} byte limit of one reply; split the read",
                                   req.length(), state.max_read_bytes));
        proto::ReadChunkResponse resp;
        if (!req.verify() && req.length() >= kSendfileFrom) {
          auto region = state.chunks.region(*ref.target, ref.file, req.offset(), req.length());
          if (!region) return error(storage_error(ref, "read", region.error()));
          if (*region) {
            auto& r = **region;
            if (r.length > 0) ctx.bulk_file = {r.fd, req.offset(), r.length, std::move(r.keep)};
            resp.set_length(static_cast<uint32_t>(r.length));
            resp.set_checksummed(r.checksummed);
            resp.mutable_crcs()->Add(r.crcs.begin(), r.crcs.end());
            return resp;
          }
        }
        auto read = state.chunks.read(*ref.target, ref.file, req.offset(), req.length(), ctx.bulk_out);
        if (!read && read.error().code() == proto::STORAGE_CHECKSUM_MISMATCH && req.mirror_group() != 0) {
          spdlog::error("target {} ({}): {}; repairing it from the mirror group's secondary", ref.target_id,
                        ref.target->path(), read.error().message());
          if (auto repaired = repair_from_secondary(state, ref, req.mirror_group(), req.offset(), req.length()))
            read = state.chunks.read(*ref.target, ref.file, req.offset(), req.length(), ctx.bulk_out);
          else
            read = std::unexpected(Status(proto::STORAGE_CHECKSUM_MISMATCH,
                                          fmt::format("{}; {}", read.error().message(), repaired.error().message())));
        }
        if (read && read->absent && req.verify() && req.mirror_group() != 0) {
          // The client asks with `verify` for a chunk file the file's size
          // says must exist (docs/mirroring.md, missing chunk files).
          if (auto restored = restore_from_secondary(state, ref, req.mirror_group()); !restored)
            return error(restored.error().code(),
                         fmt::format("target {} has no chunk file of file {} (mirror group {}) and {}", ref.target_id,
                                     ref.file.to_string(), req.mirror_group(), restored.error().message()));
          read = state.chunks.read(*ref.target, ref.file, req.offset(), req.length(), ctx.bulk_out);
        }
        if (!read) return error(storage_error(ref, "read", read.error()));
        resp.set_length(static_cast<uint32_t>(ctx.bulk_out.size()));
        resp.set_absent(read->absent);
        resp.set_checksummed(read->checksummed);
        resp.mutable_crcs()->Add(read->crcs.begin(), read->crcs.end());
        return resp;
      });
}

}  // namespace combfs::stored
