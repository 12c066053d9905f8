// Helpers every chunk handler uses: resolve (target id, file) from a request
// and turn a ChunkStore failure into the storage error the client sees.
#pragma once

#include <memory>

#include "common/entry_id.h"
#include "stored/state.h"

namespace combfs::stored {

struct ChunkRef {
  uint32_t target_id;
  std::shared_ptr<Target> target;
  EntryId file;
};

// `mirror_group` != 0: the chunk file of a mirrored file, in the target's
// mirror/ area (Target::mirror()).
// Errors: INVALID_ARGUMENT for a missing file id; see TargetSet::find.
Result<ChunkRef> resolve_chunk(const StoredState& state, uint32_t target_id, const proto::EntryId& file,
                               uint32_t mirror_group);

// NO_SPACE → STORAGE_NO_SPACE "target N (path) is full: ..."; anything else →
// STORAGE_IO naming the target, the file and (in `cause`) the path and offset;
// STORAGE_CHECKSUM_MISMATCH stays so, with the target and file added. Logs it.
Status storage_error(const ChunkRef& ref, const char* op, const Status& cause);

}  // namespace combfs::stored
