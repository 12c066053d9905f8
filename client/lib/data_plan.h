// Pure planning of striped I/O: which request goes to which target, how a
// file's size follows from its chunk files, and how a read with short pieces
// is completed. No I/O here, so unit tests cover every case.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "proto/meta.pb.h"
#include "striping/striping.h"

namespace combfs::client {

// The stripe math parameters of a file's layout: the chunk size of its pattern
// and the length of its target list. Errors (INVALID_ARGUMENT) when the layout
// has no targets or an invalid chunk size: such a file cannot hold data.
Result<striping::Pattern> pattern_of(const proto::Layout& layout);

// One request to one target: `length` bytes at `local_offset` of the target's
// chunk file, matching bytes [buf_offset, buf_offset + length) of the caller's
// buffer.
struct ChunkRequest {
  uint32_t target_index;  // index into Layout.targets
  uint64_t local_offset;
  uint64_t buf_offset;
  uint64_t length;
  bool operator==(const ChunkRequest&) const = default;
};

// Splits an I/O of `length` bytes at file offset `offset` into requests of at
// most `max_request` bytes (REQUIRES max_request > 0), in file order. Pieces that
// continue each other both on the target and in the buffer (e.g. with one
// target) are merged up to max_request.
std::vector<ChunkRequest> plan_io(const striping::Pattern& p, uint64_t offset, uint64_t length, uint64_t max_request);

// File size implied by the chunk file lengths of all targets (local_sizes[i]
// belongs to target index i): the largest striping::file_end.
uint64_t size_from_local_sizes(const striping::Pattern& p, std::span<const uint64_t> local_sizes);

// Completes a read of buf.size() bytes at `offset` after request i returned
// got[i] bytes and some returned fewer than asked (a chunk file ends early).
// The file is `file_size` long: bytes of short requests that lie inside the
// file are holes and become zeros. Returns the number of bytes the read
// returns, i.e. min(buf.size(), file_size - offset), 0 at or past the end.
size_t complete_read(std::span<char> buf, uint64_t offset, std::span<const ChunkRequest> requests,
                     std::span<const uint64_t> got, uint64_t file_size);

// The missing-chunk rule (docs/mirroring.md): target index i's chunk file
// must exist as soon as the file's size gives that target any bytes, i.e.
// striping::local_size(p, i, size) > 0. Writers keep it true (see
// chunk_files_to_create), truncate creates the chunk files it gives bytes to,
// and nothing but removing the file deletes one, so an absent chunk file
// that the size requires was lost, and its bytes must not read as zeros.

// The target indices whose chunk file a write that takes the file's end to
// `new_end` must create first: those the size `covered_end` did not yet
// require and that none of the write's own `requests` creates.
std::vector<uint32_t> chunk_files_to_create(const striping::Pattern& p, uint64_t covered_end, uint64_t new_end,
                                            std::span<const ChunkRequest> requests);

// The first read request whose target answered "no chunk file" (absent[i] !=
// 0) although a file of `file_size` bytes has bytes there; nullopt if none.
std::optional<size_t> first_missing_chunk(const striping::Pattern& p, std::span<const ChunkRequest> requests,
                                          std::span<const uint8_t> absent, uint64_t file_size);

}  // namespace combfs::client
