#include "client/lib/dir_merge.h"

#include <fmt/format.h>

#include "client/lib/dir_hash.h"

namespace combfs::client {

Result<proto::ReadDirResponse> merged_readdir(uint32_t shards, uint64_t cookie, uint32_t max_entries,
                                              const ShardFetch& fetch) {
  const ShardCookie at = split_cookie(cookie);
  proto::ReadDirResponse out;
  for (uint32_t i = at.shard; i < shards; ++i) {
    const uint32_t room = max_entries - static_cast<uint32_t>(out.entries_size());
    auto part = COMBFS_TRY(fetch(i, i == at.shard ? at.cookie : 0, room));
    for (auto& e : *part.mutable_entries()) {
      if (e.cookie() > kShardCookieMask)
        return error(proto::INTERNAL, fmt::format("shard {} handed out cookie {}, beyond what a merged listing can "
                                                  "resume from (at most {}); report this",
                                                  i, e.cookie(), kShardCookieMask));
      e.set_cookie(merge_cookie(i, e.cookie()));
      out.add_entries()->Swap(&e);
    }
    // The caller resumes after the last entry it got: a shard cut short, or a
    // full batch, ends this call (resuming at the end of a shard finds it
    // empty and goes on with the next).
    if (!part.eof() || out.entries_size() >= static_cast<int>(max_entries)) {
      out.set_eof(part.eof() && i + 1 == shards);
      return out;
    }
  }
  out.set_eof(true);
  return out;
}

}  // namespace combfs::client
