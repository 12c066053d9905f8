// What stored's request handlers share: the targets, the chunk store and the
// node id mgmtd assigned (0 before registration).
#pragma once

#include <atomic>
#include <cstdint>

#include "common/rpc/frame.h"
#include "stored/chunk_store.h"
#include "stored/target/target_set.h"

namespace combfs::stored {

struct StoredState {
  explicit StoredState(size_t max_open_files) : chunks(max_open_files) {}
  TargetSet targets;
  ChunkStore chunks;
  std::atomic<uint32_t> node_id{0};
  // Largest ReadChunk answer: what a reply frame may carry.
  size_t max_read_bytes = rpc::FrameLimits{}.max_bulk;
};

}  // namespace combfs::stored
