// sethash: an empty directory here becomes hashed. Like mkdir, the target side
// first: the shards are created pending on their metads, then the shard list
// is committed on the directory (if it is still empty), then the shards are
// confirmed. A crash before the commit aborts the shards (nobody knew their
// ids); after it, recovery confirms them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

Result<void> check_shard_count(uint32_t count) {
  if (count < 2 || count > kMaxShards)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("a hashed directory has 2 to {} shards, not {}", kMaxShards, count));
  return {};
}

Result<proto::EntryInfo> sethash(Cross& c, EntryId dir, const std::vector<uint32_t>& shard_nodes) {
  COMBFS_CHECK(check_shard_count(static_cast<uint32_t>(shard_nodes.size())));
  SethashBegun begun = COMBFS_TRY(c.store().sethash_begin(dir, shard_nodes));
  JournalRunner::Claim claim(c.journal(), begun.seq);
  COMBFS_CRASH_POINT(c, "sethash.begun");

  auto give_up = [&](const Status& why) -> Result<proto::EntryInfo> {
    (void)c.journal().finish(begun.seq);  // aborts the shards; the worker retries an unreachable metad
    return std::unexpected(why);
  };
  const auto& a = begun.dir.attr();
  for (const auto& [shard, node] : begun.shards) {
    proto::RemoteDirCreateRequest r;
    shard.to_proto(r.mutable_id());
    dir.to_proto(r.mutable_parent());
    r.set_parent_owner(c.self());
    r.set_mode(a.mode());
    r.set_uid(a.uid());
    r.set_gid(a.gid());
    *r.mutable_pattern() = begun.dir.dir_pattern();
    if (auto made = c.peers().call(node, r); !made) return give_up(made.error());
  }
  COMBFS_CRASH_POINT(c, "sethash.created");

  auto info = c.store().sethash_commit(begun.seq);
  if (!info) return give_up(info.error());
  COMBFS_CRASH_POINT(c, "sethash.committed");
  if (auto done = c.journal().finish(begun.seq); !done)
    spdlog::warn("sethash of {}: cannot confirm its shards yet (the worker retries): {}", dir.to_string(),
                 done.error().to_string());
  return info;
}

}  // namespace combfs::metad::cross
