// Repairs a mirrored chunk file on the group's primary from the secondary's
// copy (docs/mirroring.md "Mirrored data path", reads): damaged blocks, or
// the whole chunk file when it is missing. The read that found the damage
// gets the right bytes, and the bad copy is rewritten, so the application
// never sees the damage and the next read is local again.
#pragma once

#include <cstdint>

#include "stored/ops/chunk_op.h"
#include "stored/state.h"

namespace combfs::stored {

// Copies the whole 64 KiB blocks covering [offset, offset + length) of
// `ref`'s chunk file from the secondary of mirror group `group` (read there
// with its own check) over the local ones, holding the chunk file's order
// lock so that no mirrored write lands in between. Only on the group's
// primary (STORAGE_NOT_PRIMARY otherwise). Logs what it repaired. Errors: the
// secondary's read failed (its copy is damaged too, or it is down), the
// local write failed.
Result<void> repair_from_secondary(StoredState& state, const ChunkRef& ref, uint32_t group, uint64_t offset,
                                   uint64_t length);

// Copies the secondary's whole chunk file when this target (the primary) has
// none, then syncs it: the client asks (a ReadChunk with `verify`) only when
// the file's size says the chunk file must exist. Nothing when it exists by
// now. Errors as above; STORAGE_CHUNK_MISSING when the secondary has none
// either.
Result<void> restore_from_secondary(StoredState& state, const ChunkRef& ref, uint32_t group);

}  // namespace combfs::stored
