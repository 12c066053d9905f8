// The storage requests of the data path, made and checked in one place for
// DataPath and the batch API: writes carry the CRC32C of each 64 KiB piece of
// their payload; read answers are verified against the CRCs stored sends
// (common/checksum.h, docs/mirroring.md "Checksums"), so bytes that do not
// match never reach the application.
#pragma once

#include <cstdint>
#include <span>

#include "buddy/route.h"
#include "client/lib/data_plan.h"
#include "common/entry_id.h"
#include "proto/storage.pb.h"

namespace combfs::client {

// A WriteChunk of `data` at `local_offset` of the chunk file on `route` (a
// target, or a mirror group's primary), with the CRCs of data's pieces.
// Empty `data`: only creates the chunk file.
proto::WriteChunkRequest write_request(const buddy::Route& route, const EntryId& file, uint64_t local_offset,
                                       std::span<const char> data);

proto::ReadChunkRequest read_request(const buddy::Route& route, const EntryId& file, uint64_t local_offset,
                                     uint64_t length);

// Checks the bytes `got` of a ReadChunk answer (request `r` of a read at file
// offset `offset`) against the CRCs in `resp`. STORAGE_CHECKSUM_MISMATCH
// naming target, file and the file offset of the first bad piece when they
// differ (or the count is wrong); OK for a chunk file without checksums.
Result<void> verify_read(const proto::ReadChunkResponse& resp, std::span<const char> got, const ChunkRequest& r,
                         uint64_t offset, uint32_t target, const EntryId& file);

// A read request's failure `cause` from target `target`, with the file's
// offsets it covered added (stored names only its local offset).
Status read_failed(const Status& cause, const ChunkRequest& r, uint64_t offset, uint32_t target, const EntryId& file);

// Logs an error line for a read that failed because data is lost or damaged
// (STORAGE_CHECKSUM_MISMATCH, STORAGE_CHUNK_MISSING): what an administrator
// needs to find it (target, file, offset are in the status). Others: nothing.
void log_if_data_lost(const Status& status);

}  // namespace combfs::client
