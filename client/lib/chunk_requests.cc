#include "client/lib/chunk_requests.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/checksum.h"

namespace combfs::client {

proto::WriteChunkRequest write_request(const buddy::Route& route, const EntryId& file, uint64_t local_offset,
                                       std::span<const char> data) {
  proto::WriteChunkRequest req;
  buddy::address(req, route);
  file.to_proto(req.mutable_file());
  req.set_offset(local_offset);
  auto crcs = checksum::piece_crcs(local_offset, data);
  req.mutable_crcs()->Add(crcs.begin(), crcs.end());
  return req;
}

proto::ReadChunkRequest read_request(const buddy::Route& route, const EntryId& file, uint64_t local_offset,
                                     uint64_t length) {
  proto::ReadChunkRequest req;
  buddy::address(req, route);
  file.to_proto(req.mutable_file());
  req.set_offset(local_offset);
  req.set_length(static_cast<uint32_t>(length));
  return req;
}

Result<void> verify_read(const proto::ReadChunkResponse& resp, std::span<const char> got, const ChunkRequest& r,
                         uint64_t offset, uint32_t target, const EntryId& file) {
  if (!resp.checksummed()) return {};  // written before checksums existed
  std::span<const uint32_t> crcs(resp.crcs().data(), static_cast<size_t>(resp.crcs().size()));
  auto bad = checksum::first_mismatch(r.local_offset, got, crcs);
  if (!bad) return {};
  const auto piece = checksum::piece(r.local_offset, got.size(), *bad);
  const uint64_t file_offset = offset + r.buf_offset + (piece.offset - r.local_offset);
  return error(proto::STORAGE_CHECKSUM_MISMATCH,
               fmt::format("target {}, file {}, offset {}: the {} bytes read there do not match the CRC32C the "
                           "target sent with them (damaged between the target and this client); the read fails "
                           "rather than return them",
                           target, file.to_string(), file_offset, piece.length));
}

Status read_failed(const Status& cause, const ChunkRequest& r, uint64_t offset, uint32_t target, const EntryId& file) {
  return Status(cause.code(), fmt::format("target {}, file {}, offset {} ({} bytes): {}", target, file.to_string(),
                                          offset + r.buf_offset, r.length, cause.message()));
}

void log_if_data_lost(const Status& status) {
  if (status.code() == proto::STORAGE_CHECKSUM_MISMATCH || status.code() == proto::STORAGE_CHUNK_MISSING)
    spdlog::error("read failed, data lost or damaged: {}", status.to_string());
}

}  // namespace combfs::client
