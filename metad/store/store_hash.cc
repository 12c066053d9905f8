// MetaStore: an empty directory becomes hashed (fsctl sethash). The shards are
// created pending on their metads between begin and commit (metad/cross/
// sethash.cc); until commit nobody knows their ids, so a crash before it
// aborts them, and after it the journal confirms them.
#include <fmt/format.h>

#include "metad/store/journal_steps.h"
#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {

std::unexpected<Status> already_hashed(const Inode& dir) {
  return error(proto::META_EXISTS, fmt::format("directory {} is hashed already (over {} shards); a hashed directory "
                                               "keeps its shards",
                                               dir.id.to_string(), dir.shards.size()));
}

std::unexpected<Status> not_empty(EntryId dir) {
  return error(proto::META_NOT_EMPTY, fmt::format("directory {} is not empty: only an empty directory can become "
                                                  "hashed (create a new one with fsctl mkdir --hashed and move the "
                                                  "entries into it)",
                                                  dir.to_string()));
}

}  // namespace

Result<SethashBegun> MetaStore::sethash_begin(EntryId dir_id, const std::vector<uint32_t>& shard_nodes) {
  return write([&](Tables& t) -> Result<SethashBegun> {
    Inode dir = COMBFS_TRY(load(t, dir_id));
    if (!dir.is_dir()) return error(proto::META_NOT_DIR, fmt::format("{} is not a directory", dir_id.to_string()));
    if (!dir.shards.empty()) return already_hashed(dir);
    if (dir.state != Inode::kNormal)
      return error(proto::UNAVAILABLE, fmt::format("directory {} is being created or removed; try again",
                                                   dir_id.to_string()));
    if (!COMBFS_TRY(t.dir_is_empty(dir_id))) return not_empty(dir_id);
    SethashBegun b;
    b.dir = COMBFS_TRY(info_of(t, dir));
    proto::MetaJournalRecord r;
    r.set_op(proto::JOURNAL_SETHASH);
    r.set_state(proto::JOURNAL_INTENT);
    dir.parent.to_proto(r.mutable_parent());
    dir_id.to_proto(r.mutable_child());
    r.set_child_owner(options_.node_id);
    r.set_child_type(proto::FT_DIR);
    // The redo steps list the shards in order: commit reads them back.
    for (uint32_t node : shard_nodes) {
      b.shards.emplace_back(COMBFS_TRY(allocate_id(t)), node);
      *r.add_undo() = dir_step(node, b.shards.back().first, proto::REMOTE_DIR_ABORT);
      *r.add_redo() = dir_step(node, b.shards.back().first, proto::REMOTE_DIR_CONFIRM);
    }
    b.seq = COMBFS_TRY(add_record(t, r));
    return b;
  });
}

Result<proto::EntryInfo> MetaStore::sethash_commit(int64_t seq) {
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    proto::MetaJournalRecord r = COMBFS_TRY(load_record(t, seq));
    Inode dir = COMBFS_TRY(load(t, EntryId::from_proto(r.child())));
    if (r.state() == proto::JOURNAL_COMMITTED) return info_of(t, dir);
    if (!dir.shards.empty()) return already_hashed(dir);
    if (!COMBFS_TRY(t.dir_is_empty(dir.id))) return not_empty(dir.id);
    for (const auto& step : r.redo())
      dir.shards.emplace_back(EntryId::from_proto(step.dir_state().id()), step.node());
    dir.ctime_ns = now();
    COMBFS_CHECK(t.update_inode(dir));
    r.set_state(proto::JOURNAL_COMMITTED);
    COMBFS_CHECK(put_record(t, seq, r));
    return info_of(t, dir);
  });
}

}  // namespace combfs::metad
