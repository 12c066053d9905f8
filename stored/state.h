// What stored's request handlers share: the targets, the chunk store, the
// node id mgmtd assigned (0 before registration) and the link to the other
// stored daemons for mirrored files (mirror_link.h).
#pragma once

#include <atomic>
#include <cstdint>

#include "common/rpc/frame.h"
#include "stored/chunk_store.h"
#include "stored/mirror_link.h"
#include "stored/target/target_set.h"

namespace combfs::stored {

struct StoredState {
  StoredState(size_t max_open_files, std::ptrdiff_t forward_slots) : chunks(max_open_files), mirror(forward_slots) {}
  TargetSet targets;
  ChunkStore chunks;
  MirrorLink mirror;
  std::atomic<uint32_t> node_id{0};
  // Largest ReadChunk answer: what a reply frame may carry.
  size_t max_read_bytes = rpc::FrameLimits{}.max_bulk;
};

}  // namespace combfs::stored
