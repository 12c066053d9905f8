// The listing of a hashed directory: shard 0 to K-1 one after the other, each
// in its own cookie order, with the merged cookies of dir_hash.h. Pure but for
// `fetch`, so unit tests can list fake shards while names are added.
#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"
#include "proto/meta.pb.h"

namespace combfs::client {

// One batch of shard `shard` from its own `cookie` (0: its start), at most
// `max_entries` entries.
using ShardFetch = std::function<Result<proto::ReadDirResponse>(uint32_t shard, uint64_t cookie, uint32_t max_entries)>;

// At most `max_entries` (> 0) entries of the merged listing of `shards`
// shards after merged `cookie`; eof when the last shard ended. Entries carry
// merged cookies. INTERNAL if a shard hands out a cookie too large to merge.
Result<proto::ReadDirResponse> merged_readdir(uint32_t shards, uint64_t cookie, uint32_t max_entries,
                                              const ShardFetch& fetch);

}  // namespace combfs::client
