// MetaStore: the coordinator's side of operations whose names and inodes live
// on different metads. Each *_begin writes an INTENT journal record in the
// same transaction as its checks; each *_commit changes the names here and
// marks the record COMMITTED with the steps still owed to other metads.
// metad/cross/ sends the steps; docs/metadata.md explains the ordering.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>

#include "metad/store/journal_steps.h"
#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {

std::unexpected<Status> exists(EntryId parent, const std::string& name) {
  return error(proto::META_EXISTS, fmt::format("'{}' already exists in directory {}", name, parent.to_string()));
}

proto::MetaJournalRecord new_record(proto::MetaJournalOp op, EntryId parent, const std::string& name) {
  proto::MetaJournalRecord r;
  r.set_op(op);
  r.set_state(proto::JOURNAL_INTENT);
  parent.to_proto(r.mutable_parent());
  r.set_name(name);
  return r;
}

}  // namespace

Result<Dentry> MetaStore::peek_dentry(EntryId parent, const std::string& name) {
  COMBFS_CHECK(check_name(name));
  return read([&](Tables& t) -> Result<Dentry> {
    COMBFS_CHECK(load_dir(t, parent));
    return load_dentry(t, parent, name);
  });
}

Result<MkdirBegun> MetaStore::mkdir_begin(EntryId parent_id, const std::string& name, uint32_t node, uint32_t mode,
                                          uint32_t gid, uint32_t umask, const std::vector<uint32_t>& shard_nodes) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<MkdirBegun> {
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, name))) return exists(parent_id, name);
    if (parent.nlink >= kMaxLinks)
      return error(proto::META_TOO_MANY_LINKS, fmt::format("directory {} already has the maximum of {} subdirectories",
                                                           parent_id.to_string(), kMaxLinks - 2));
    MkdirBegun b;
    b.child = COMBFS_TRY(allocate_id(t));
    b.pattern = parent.pattern;
    b.perms = COMBFS_TRY(new_perms(t, parent, S_IFDIR | (mode & 07777), gid, umask));
    for (uint32_t shard_node : shard_nodes) b.shards.emplace_back(COMBFS_TRY(allocate_id(t)), shard_node);
    proto::MetaJournalRecord r = new_record(proto::JOURNAL_MKDIR, parent_id, name);
    b.child.to_proto(r.mutable_child());
    r.set_child_owner(node);
    r.set_child_type(proto::FT_DIR);
    // Nobody knows the ids before the name is committed: abort is safe until then.
    *r.add_undo() = dir_step(node, b.child, proto::REMOTE_DIR_ABORT);
    *r.add_redo() = dir_step(node, b.child, proto::REMOTE_DIR_CONFIRM);
    for (const auto& [shard, shard_node] : b.shards) {
      *r.add_undo() = dir_step(shard_node, shard, proto::REMOTE_DIR_ABORT);
      *r.add_redo() = dir_step(shard_node, shard, proto::REMOTE_DIR_CONFIRM);
    }
    b.seq = COMBFS_TRY(add_record(t, r));
    return b;
  });
}

Result<void> MetaStore::mkdir_commit(int64_t seq) {
  return write([&](Tables& t) -> Result<void> {
    proto::MetaJournalRecord r = COMBFS_TRY(load_record(t, seq));
    if (r.state() == proto::JOURNAL_COMMITTED) return {};
    EntryId parent_id = EntryId::from_proto(r.parent());
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, r.name()))) return exists(parent_id, r.name());
    COMBFS_CHECK(t.insert_dentry(parent_id, r.name(), EntryId::from_proto(r.child()), proto::FT_DIR,
                                 stored_owner(r.child_owner())));
    parent.nlink += 1;
    COMBFS_CHECK(touch_dir(t, parent));
    r.set_state(proto::JOURNAL_COMMITTED);
    return put_record(t, seq, r);
  });
}

Result<int64_t> MetaStore::rmdir_begin(EntryId parent_id, const std::string& name, EntryId child, uint32_t owner,
                                       const std::vector<std::pair<EntryId, uint32_t>>& shards) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<int64_t> {
    COMBFS_CHECK(load_dir(t, parent_id));
    Dentry d = COMBFS_TRY(load_dentry(t, parent_id, name));
    if (d.child != child)
      return error(proto::UNAVAILABLE, fmt::format("'{}' in directory {} changed while rmdir prepared; try again", name,
                                                   parent_id.to_string()));
    if (d.child_type != proto::FT_DIR)
      return error(proto::META_NOT_DIR, fmt::format("'{}' in directory {} is not a directory", name, parent_id.to_string()));
    proto::MetaJournalRecord r = new_record(proto::JOURNAL_RMDIR, parent_id, name);
    child.to_proto(r.mutable_child());
    r.set_child_owner(owner);
    r.set_child_type(proto::FT_DIR);
    // The directory is prepared after its shards and removed before them.
    for (const auto& [shard, node] : shards) *r.add_undo() = dir_step(node, shard, proto::REMOTE_DIR_CANCEL_REMOVE);
    *r.add_undo() = dir_step(owner, child, proto::REMOTE_DIR_CANCEL_REMOVE);
    *r.add_redo() = dir_step(owner, child, proto::REMOTE_DIR_REMOVE);
    for (const auto& [shard, node] : shards) *r.add_redo() = dir_step(node, shard, proto::REMOTE_DIR_REMOVE);
    return add_record(t, r);
  });
}

Result<void> MetaStore::rmdir_commit(int64_t seq) {
  return write([&](Tables& t) -> Result<void> {
    proto::MetaJournalRecord r = COMBFS_TRY(load_record(t, seq));
    if (r.state() == proto::JOURNAL_COMMITTED) return {};
    EntryId parent_id = EntryId::from_proto(r.parent());
    Inode parent = COMBFS_TRY(load_dir(t, parent_id));
    auto d = COMBFS_TRY(t.find_dentry(parent_id, r.name()));
    if (!d || d->child != EntryId::from_proto(r.child()))
      return error(proto::META_NOT_FOUND,
                   fmt::format("'{}' in directory {} was removed or replaced meanwhile", r.name(), parent_id.to_string()));
    COMBFS_CHECK(t.delete_dentry(d->seq));
    parent.nlink = parent.nlink > 2 ? parent.nlink - 1 : 2;
    COMBFS_CHECK(touch_dir(t, parent));
    r.set_state(proto::JOURNAL_COMMITTED);
    return put_record(t, seq, r);
  });
}

Result<int64_t> MetaStore::link_begin(EntryId id, uint32_t owner, EntryId parent_id, const std::string& name) {
  COMBFS_CHECK(check_name(name));
  return write([&](Tables& t) -> Result<int64_t> {
    COMBFS_CHECK(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, name))) return exists(parent_id, name);
    proto::MetaJournalRecord r = new_record(proto::JOURNAL_LINK, parent_id, name);
    id.to_proto(r.mutable_child());
    r.set_child_owner(owner);
    *r.add_undo() = name_step(owner, id, false, options_.node_id, parent_id, name);
    return add_record(t, r);
  });
}

Result<void> MetaStore::link_commit(int64_t seq, proto::FileType type) {
  return write([&](Tables& t) -> Result<void> {
    proto::MetaJournalRecord r = COMBFS_TRY(load_record(t, seq));
    EntryId parent_id = EntryId::from_proto(r.parent());
    Inode parent = COMBFS_TRY(load_dir_for_insert(t, parent_id));
    if (COMBFS_TRY(t.find_dentry(parent_id, r.name()))) return exists(parent_id, r.name());
    COMBFS_CHECK(t.insert_dentry(parent_id, r.name(), EntryId::from_proto(r.child()), type, stored_owner(r.child_owner())));
    COMBFS_CHECK(touch_dir(t, parent));
    // Nothing is left to do elsewhere: the file's metad added the name first.
    return t.delete_journal(seq);
  });
}

Result<int64_t> MetaStore::journal_begin(proto::MetaJournalRecord record, const Dentry& expect) {
  return write([&](Tables& t) -> Result<int64_t> {
    auto d = COMBFS_TRY(t.find_dentry(expect.parent, expect.name));
    if (!d || d->child != expect.child)
      return error(proto::UNAVAILABLE, fmt::format("'{}' in directory {} changed while a rename prepared; try again",
                                                   expect.name, expect.parent.to_string()));
    record.set_state(proto::JOURNAL_INTENT);
    return add_record(t, record);
  });
}

Result<void> MetaStore::rename_out_commit(int64_t seq, const proto::RemoteInsertDentryResponse& inserted) {
  return write([&](Tables& t) -> Result<void> {
    proto::MetaJournalRecord r = COMBFS_TRY(load_record(t, seq));
    if (r.state() == proto::JOURNAL_COMMITTED) return {};
    const uint32_t self = options_.node_id;
    const EntryId src_parent = EntryId::from_proto(r.parent());
    const EntryId moved = EntryId::from_proto(r.child());
    const auto& ins = r.insert();
    const EntryId dst_parent = EntryId::from_proto(ins.parent());
    const bool is_dir = r.child_type() == proto::FT_DIR;
    r.clear_redo();

    // The source name goes, if nobody removed or replaced it meanwhile.
    auto sp = COMBFS_TRY(t.find_inode(src_parent));
    auto d = COMBFS_TRY(t.find_dentry(src_parent, r.name()));
    if (d && d->child == moved) {
      COMBFS_CHECK(t.delete_dentry(d->seq));
      if (!is_remote(*d) && !is_dir) {
        // The file is stored here: the name it got on insert_node was added
        // as a remote name (one link more), this local name is one less.
        Inode file = COMBFS_TRY(load(t, moved));
        COMBFS_CHECK(drop_link(t, file));
      }
      if (sp) {
        if (is_dir) sp->nlink = sp->nlink > 2 ? sp->nlink - 1 : 2;
        COMBFS_CHECK(touch_dir(t, *sp));
      }
      if (is_remote(*d) && !is_dir)
        *r.add_redo() = name_step(r.child_owner(), moved, false, self, src_parent, r.name());
    } else {
      spdlog::warn("rename of '{}' in {}: the source name changed before the rename committed; leaving it", r.name(),
                   src_parent.to_string());
    }
    if (is_dir) *r.add_redo() = parent_step(r.child_owner(), moved, dst_parent, r.insert_node());
    // What the insert replaced there and is stored on a third metad (or here).
    if (!EntryId::from_proto(inserted.replaced()).is_null()) {
      EntryId replaced = EntryId::from_proto(inserted.replaced());
      if (inserted.replaced_type() == proto::FT_DIR)
        *r.add_redo() = dir_step(inserted.replaced_owner(), replaced, proto::REMOTE_DIR_REMOVE);
      else
        *r.add_redo() = name_step(inserted.replaced_owner(), replaced, false, r.insert_node(), dst_parent, ins.name());
    }
    r.set_state(proto::JOURNAL_COMMITTED);
    return put_record(t, seq, r);
  });
}

Result<std::vector<std::pair<int64_t, proto::MetaJournalRecord>>> MetaStore::journal_records() {
  return read([&](Tables& t) -> Result<std::vector<std::pair<int64_t, proto::MetaJournalRecord>>> {
    std::vector<std::pair<int64_t, proto::MetaJournalRecord>> out;
    for (auto& [seq, blob] : COMBFS_TRY(t.list_journal())) {
      proto::MetaJournalRecord r;
      if (!r.ParseFromString(blob)) {
        spdlog::error("journal record {} in {} does not parse; skipping it", seq, options_.path);
        continue;
      }
      out.emplace_back(seq, std::move(r));
    }
    return out;
  });
}

Result<std::optional<proto::MetaJournalRecord>> MetaStore::journal_record(int64_t seq) {
  return read([&](Tables& t) -> Result<std::optional<proto::MetaJournalRecord>> {
    auto blob = COMBFS_TRY(t.find_journal(seq));
    if (!blob) return std::optional<proto::MetaJournalRecord>();
    proto::MetaJournalRecord r;
    if (!r.ParseFromString(*blob)) return error(proto::INTERNAL, fmt::format("journal record {} does not parse", seq));
    return std::optional<proto::MetaJournalRecord>(std::move(r));
  });
}

Result<void> MetaStore::journal_delete(int64_t seq) {
  return write([&](Tables& t) { return t.delete_journal(seq); });
}

Result<MetaStore::Snapshot> MetaStore::snapshot() {
  return snapshot_page(EntryId(), 0, UINT32_MAX, true);
}

Result<MetaStore::Snapshot> MetaStore::snapshot_page(EntryId inodes_after, int64_t dentries_after, uint32_t max_rows,
                                                     bool first) {
  return read([&](Tables& t) -> Result<Snapshot> {
    Snapshot snap;
    snap.node = options_.node_id;
    constexpr uint32_t kPage = 4096;
    for (EntryId after = inodes_after; snap.inodes.size() < max_rows;) {
      auto page = COMBFS_TRY(t.list_inodes(after, std::min<uint64_t>(kPage, max_rows - snap.inodes.size())));
      if (page.empty()) break;
      after = page.back().id;
      std::move(page.begin(), page.end(), std::back_inserter(snap.inodes));
    }
    for (int64_t after = dentries_after; snap.dentries.size() < max_rows;) {
      auto page = COMBFS_TRY(t.list_all_dentries(after, std::min<uint64_t>(kPage, max_rows - snap.dentries.size())));
      if (page.empty()) break;
      after = page.back().seq;
      std::move(page.begin(), page.end(), std::back_inserter(snap.dentries));
    }
    if (!first) return snap;
    snap.remote_names = COMBFS_TRY(t.list_remote_names());
    for (auto& [seq, blob] : COMBFS_TRY(t.list_journal())) {
      proto::MetaJournalRecord r;
      r.ParseFromString(blob);
      snap.journal.emplace_back(seq, std::move(r));
    }
    return snap;
  });
}

}  // namespace combfs::metad
