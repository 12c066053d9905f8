// MetaStore: subtree migration (docs/metadata.md "Migration"). A directory
// moves with its entries and the inodes of the files in it; the source keeps
// a forwarding record (table `moved`) per entry that left, so that requests
// sent with stale owner information are redirected instead of failing.
// Hard-linked files stay where their other names are; their names move.
#include <spdlog/spdlog.h>

#include <unordered_set>

#include "metad/store/journal_steps.h"
#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {

constexpr uint32_t kPage = 4096;

proto::MetaJournalStep child_owner_step(uint32_t node, EntryId parent, EntryId child, uint32_t child_owner) {
  proto::MetaJournalStep s;
  s.set_node(node);
  auto* r = s.mutable_child_owner();
  parent.to_proto(r->mutable_parent());
  child.to_proto(r->mutable_child());
  r->set_child_owner(child_owner);
  return s;
}

// The name `name` in `dir` of file `id` (stored on `node`) moved from metad
// `from` to metad `to`: its record on `node` follows.
proto::MetaJournalStep name_moved_step(uint32_t node, EntryId id, EntryId dir, const std::string& name, uint32_t from,
                                       uint32_t to) {
  proto::MetaJournalStep s;
  s.set_node(node);
  auto* r = s.mutable_name();
  id.to_proto(r->mutable_id());
  r->set_node(to);
  dir.to_proto(r->mutable_parent());
  r->set_name(name);
  r->set_moved_from(from);
  return s;
}

proto::MetaJournalStep drop_step(uint32_t node, EntryId dir, uint32_t origin) {
  proto::MetaJournalStep s;
  s.set_node(node);
  dir.to_proto(s.mutable_migrate_drop()->mutable_dir());
  s.mutable_migrate_drop()->set_origin(origin);
  return s;
}

Result<std::vector<Dentry>> all_dentries(Tables& t, EntryId dir) {
  std::vector<Dentry> out;
  for (int64_t after = 0;;) {
    auto page = COMBFS_TRY(t.list_dentries(dir, after, kPage));
    if (page.empty()) break;
    after = page.back().seq;
    std::move(page.begin(), page.end(), std::back_inserter(out));
  }
  return out;
}

}  // namespace

Result<proto::MigratedInode> MetaStore::to_migrated(Tables& t, const Inode& n) {
  proto::MigratedInode m;
  n.id.to_proto(m.mutable_id());
  m.set_type(n.type);
  m.set_mode(n.mode);
  m.set_uid(n.uid);
  m.set_gid(n.gid);
  m.set_size(n.size);
  m.set_nlink(n.nlink);
  m.set_atime_ns(n.atime_ns);
  m.set_mtime_ns(n.mtime_ns);
  m.set_ctime_ns(n.ctime_ns);
  m.set_rdev(n.rdev);
  m.set_symlink_target(n.symlink_target);
  n.parent.to_proto(m.mutable_parent());
  m.set_parent_owner(node_of(n.parent_owner));
  *m.mutable_pattern() = n.pattern;
  for (uint32_t target : n.targets) m.add_targets(target);
  for (auto& [name, value] : COMBFS_TRY(t.list_xattr_values(n.id))) {
    auto* x = m.add_xattrs();
    x->set_name(name);
    x->set_value(value);
  }
  for (auto& [client, counts] : COMBFS_TRY(t.list_opens(n.id))) {
    auto* o = m.add_opens();
    o->set_client_id(client);
    o->set_readers(counts.readers);
    o->set_writers(counts.writers);
  }
  return m;
}

Result<void> MetaStore::insert_migrated(Tables& t, const proto::MigratedInode& m, Inode::State state) {
  Inode n;
  n.id = EntryId::from_proto(m.id());
  n.type = m.type();
  n.mode = m.mode();
  n.uid = m.uid();
  n.gid = m.gid();
  n.size = m.size();
  n.nlink = m.nlink();
  n.atime_ns = m.atime_ns();
  n.mtime_ns = m.mtime_ns();
  n.ctime_ns = m.ctime_ns();
  n.rdev = m.rdev();
  n.symlink_target = m.symlink_target();
  n.parent = EntryId::from_proto(m.parent());
  n.parent_owner = stored_owner(m.parent_owner());
  n.pattern = m.pattern();
  n.targets.assign(m.targets().begin(), m.targets().end());
  n.state = state;
  n.state_ns = state == Inode::kNormal ? 0 : now();
  COMBFS_CHECK(t.insert_inode(n));
  for (const auto& x : m.xattrs()) COMBFS_CHECK(t.put_xattr(n.id, x.name(), x.value()));
  for (const auto& o : m.opens()) COMBFS_CHECK(t.set_open_counts(n.id, o.client_id(), OpenCounts{o.readers(), o.writers()}));
  // It lives here (again): no forwarding for it any more.
  if (COMBFS_TRY(t.delete_moved(n.id))) effects_.moved.emplace_back(n.id, 0);
  effects_.entry_delta += 1;
  return {};
}

Result<proto::RemoteMigrateInRequest> MetaStore::export_dir(Tables& t, EntryId dir) {
  auto inode = COMBFS_TRY(t.find_inode(dir));
  if (!inode)
    return error(proto::META_NOT_FOUND, fmt::format("directory {} is not stored on metad {}", dir.to_string(), options_.node_id));
  if (!inode->is_dir()) return error(proto::META_NOT_DIR, fmt::format("{} is not a directory", dir.to_string()));
  if (dir == EntryId::root())
    return error(proto::META_BUSY, "the root directory cannot move: it stays on the root metad (move its subdirectories)");
  if (inode->state != Inode::kNormal)
    return error(proto::UNAVAILABLE, fmt::format("directory {} is being created or removed right now; try again",
                                                 dir.to_string()));
  if (!inode->shards.empty())
    return error(proto::META_BUSY, fmt::format("directory {} is hashed: its names are spread over {} shards on their "
                                               "own metads already, and a hashed directory does not move",
                                               dir.to_string(), inode->shards.size()));
  proto::RemoteMigrateInRequest rows;
  rows.set_origin(options_.node_id);
  *rows.mutable_dir() = COMBFS_TRY(to_migrated(t, *inode));
  for (const Dentry& d : COMBFS_TRY(all_dentries(t, dir))) {
    auto* e = rows.add_dentries();
    e->set_name(d.name);
    d.child.to_proto(e->mutable_child());
    e->set_child_type(d.child_type);
    e->set_child_owner(node_of(d.child_owner));
    // A name of a file stored on another metad moves as a name (its record
    // there follows at commit). A hard-linked file stays here, with its other
    // names: its name moves and names it here. Every other file moves.
    if (d.child_type == proto::FT_DIR || is_remote(d)) continue;
    auto file = COMBFS_TRY(t.find_inode(d.child));
    if (!file)
      return error(proto::INTERNAL, fmt::format("'{}' in directory {} names {}, which is not stored here: run fsctl "
                                                "fsck --metadata",
                                                d.name, dir.to_string(), d.child.to_string()));
    if (file->nlink != 1 || COMBFS_TRY(t.count_remote_names(file->id)) != 0) continue;
    *rows.add_files() = COMBFS_TRY(to_migrated(t, *file));
  }
  return rows;
}

Result<std::vector<EntryId>> MetaStore::migrate_files(EntryId dir) {
  return read([&](Tables& t) -> Result<std::vector<EntryId>> {
    std::vector<EntryId> out;
    for (const Dentry& d : COMBFS_TRY(all_dentries(t, dir)))
      if (d.child_type != proto::FT_DIR && !is_remote(d)) out.push_back(d.child);
    return out;
  });
}

Result<std::pair<EntryId, uint32_t>> MetaStore::dir_parent(EntryId dir) {
  return read([&](Tables& t) -> Result<std::pair<EntryId, uint32_t>> {
    Inode n = COMBFS_TRY(load(t, dir));
    return std::pair(n.parent, node_of(n.parent_owner));
  });
}

Result<MetaStore::MigrateBegun> MetaStore::migrate_begin(EntryId dir, uint32_t to) {
  return write([&](Tables& t) -> Result<MigrateBegun> {
    // One move of a directory at a time: an earlier attempt that gave up must
    // have dropped its copy before a new copy may be sent (the target keeps
    // at most one pending copy per directory).
    for (const auto& [seq, blob] : COMBFS_TRY(t.list_journal())) {
      proto::MetaJournalRecord r;
      if (r.ParseFromString(blob) && r.op() == proto::JOURNAL_MIGRATE && EntryId::from_proto(r.child()) == dir)
        return error(proto::UNAVAILABLE, fmt::format("an earlier move of directory {} to metad {} is still being "
                                                     "finished or taken back (journal record {}); try again",
                                                     dir.to_string(), r.child_owner(), seq));
    }
    MigrateBegun b;
    b.rows = COMBFS_TRY(export_dir(t, dir));
    proto::MetaJournalRecord r;
    r.set_op(proto::JOURNAL_MIGRATE);
    r.set_state(proto::JOURNAL_INTENT);
    *r.mutable_parent() = b.rows.dir().parent();
    dir.to_proto(r.mutable_child());
    r.set_child_owner(to);
    r.set_child_type(proto::FT_DIR);
    *r.add_undo() = drop_step(to, dir, options_.node_id);
    b.seq = COMBFS_TRY(add_record(t, r));
    return b;
  });
}

Result<MetaStore::MigrateCommitted> MetaStore::migrate_commit(int64_t seq, const proto::RemoteMigrateInRequest& sent,
                                                              const std::string& reason) {
  return write([&](Tables& t) -> Result<MigrateCommitted> {
    proto::MetaJournalRecord r = COMBFS_TRY(load_record(t, seq));
    if (r.op() != proto::JOURNAL_MIGRATE || r.state() != proto::JOURNAL_INTENT)
      return error(proto::INTERNAL, fmt::format("journal record {} is not a migration waiting to commit", seq));
    const EntryId dir = EntryId::from_proto(r.child());
    const uint32_t to = r.child_owner();
    // The copy is only good if nothing changed here since it was taken.
    auto now_rows = COMBFS_TRY(export_dir(t, dir));
    if (now_rows.SerializeAsString() != sent.SerializeAsString())
      return error(proto::UNAVAILABLE, fmt::format("directory {} changed while it was being copied to metad {}; try "
                                                   "again",
                                                   dir.to_string(), to));
    const int64_t t_now = now();
    MigrateCommitted done;
    std::unordered_set<EntryId> moving;
    for (const auto& f : sent.files()) moving.insert(EntryId::from_proto(f.id()));
    std::vector<proto::MetaJournalStep> name_steps;  // records of names elsewhere that follow them
    // The source copy goes; forwarding records say where it went.
    for (const Dentry& d : COMBFS_TRY(all_dentries(t, dir))) {
      COMBFS_CHECK(t.delete_dentry(d.seq));
      if (d.child_type == proto::FT_DIR) {
        proto::DirShard sub;
        d.child.to_proto(sub.mutable_id());
        sub.set_owner(node_of(d.child_owner));
        done.subdirs.push_back(sub);
        continue;
      }
      if (is_remote(d)) {
        name_steps.push_back(name_moved_step(d.child_owner, d.child, dir, d.name, options_.node_id, to));
        continue;
      }
      if (!moving.contains(d.child)) {  // hard-linked: stays, and this name is on `to` now
        COMBFS_CHECK(t.insert_remote_name(d.child, to, dir, d.name));
        continue;
      }
      COMBFS_CHECK(t.delete_inode(d.child));
      COMBFS_CHECK(t.delete_opens(d.child));
      COMBFS_CHECK(t.put_moved(d.child, to, t_now));
      effects_.moved.emplace_back(d.child, to);
      effects_.entry_delta -= 1;
      done.entries += 1;
    }
    COMBFS_CHECK(t.delete_inode(dir));
    COMBFS_CHECK(t.put_moved(dir, to, t_now));
    effects_.moved.emplace_back(dir, to);
    effects_.entry_delta -= 1;
    done.entries += 1;

    // What is left to do: move the records of names of files stored
    // elsewhere (before the copy is confirmed, so that no unlink there can
    // look for a record that has not moved yet), confirm the copy, then point
    // the name and the subdirectories' ".." at it (here at once, elsewhere by
    // the journal).
    r.clear_redo();
    for (auto& s : name_steps) *r.add_redo() = std::move(s);
    *r.add_redo() = dir_step(to, dir, proto::REMOTE_DIR_CONFIRM);
    const EntryId parent = EntryId::from_proto(sent.dir().parent());
    const uint32_t parent_node = sent.dir().parent_owner();
    if (parent_node == options_.node_id) {
      bool found = false;
      for (const Dentry& d : COMBFS_TRY(all_dentries(t, parent))) {
        if (d.child != dir) continue;
        COMBFS_CHECK(t.set_dentry_child(d.seq, dir, proto::FT_DIR, stored_owner(to)));
        found = true;
      }
      if (!found)
        spdlog::error("migrate: directory {} has no name in its parent {}; run fsctl fsck --metadata",
                      dir.to_string(), parent.to_string());
    } else {
      *r.add_redo() = child_owner_step(parent_node, parent, dir, to);
    }
    for (const auto& sub : done.subdirs) {
      const EntryId id = EntryId::from_proto(sub.id());
      if (sub.owner() == options_.node_id) {
        auto n = COMBFS_TRY(t.find_inode(id));
        if (!n) continue;
        n->parent_owner = stored_owner(to);
        COMBFS_CHECK(t.update_inode(*n));
      } else {
        *r.add_redo() = parent_step(sub.owner(), id, dir, to);
      }
    }
    r.set_state(proto::JOURNAL_COMMITTED);
    COMBFS_CHECK(put_record(t, seq, r));

    proto::MigrationRecord log;
    dir.to_proto(log.mutable_dir());
    log.set_from(options_.node_id);
    log.set_to(to);
    log.set_entries(done.entries);
    log.set_time_ns(t_now);
    log.set_reason(reason);
    COMBFS_CHECK(t.insert_migration(log.SerializeAsString()));
    return done;
  });
}

Result<void> MetaStore::drop_copy(Tables& t, EntryId dir, uint32_t origin) {
  const int64_t t_now = now();
  for (const Dentry& d : COMBFS_TRY(all_dentries(t, dir))) {
    COMBFS_CHECK(t.delete_dentry(d.seq));
    if (d.child_type == proto::FT_DIR || is_remote(d)) continue;
    // A file stored here whose name came with the copy (renamed or linked
    // here from `origin` earlier) is not part of the copy: its record of the
    // name on `origin` still stands.
    if (COMBFS_TRY(t.has_remote_name(d.child, origin, dir, d.name))) continue;
    COMBFS_CHECK(t.delete_inode(d.child));
    COMBFS_CHECK(t.delete_opens(d.child));
    effects_.entry_delta -= 1;
    // Stays where it was: requests that reach this metad are sent back there.
    COMBFS_CHECK(t.put_moved(d.child, origin, t_now));
    effects_.moved.emplace_back(d.child, origin);
  }
  COMBFS_CHECK(t.delete_inode(dir));
  effects_.entry_delta -= 1;
  COMBFS_CHECK(t.put_moved(dir, origin, t_now));
  effects_.moved.emplace_back(dir, origin);
  return {};
}

Result<void> MetaStore::migrate_in(const proto::RemoteMigrateInRequest& req) {
  return write([&](Tables& t) -> Result<void> {
    const EntryId dir = EntryId::from_proto(req.dir().id());
    if (auto existing = COMBFS_TRY(t.find_inode(dir))) {
      if (existing->state != Inode::kPending)
        return error(proto::META_EXISTS, fmt::format("directory {} is stored on metad {} already; run fsctl fsck "
                                                     "--metadata",
                                                     dir.to_string(), options_.node_id));
      // A copy of this move sent again, or a copy of an attempt that gave
      // up and arrived late: the source sends one move at a time, so this copy is the one.
      COMBFS_CHECK(drop_copy(t, dir, req.origin()));
    }
    COMBFS_CHECK(insert_migrated(t, req.dir(), Inode::kPending));
    std::unordered_set<EntryId> arriving;  // files that come with the directory: their names become local
    for (const auto& f : req.files()) arriving.insert(EntryId::from_proto(f.id()));
    for (const auto& e : req.dentries()) {
      const EntryId child = EntryId::from_proto(e.child());
      COMBFS_CHECK(t.insert_dentry(dir, e.name(), child, e.child_type(),
                                   arriving.contains(child) ? 0 : stored_owner(e.child_owner())));
    }
    for (const auto& f : req.files()) COMBFS_CHECK(insert_migrated(t, f, Inode::kNormal));
    return {};
  });
}

Result<void> MetaStore::migrate_drop(EntryId dir, uint32_t origin) {
  return write([&](Tables& t) -> Result<void> {
    auto n = COMBFS_TRY(t.find_inode(dir));
    if (!n || !n->is_dir() || n->state != Inode::kPending) return {};  // never arrived, or committed
    return drop_copy(t, dir, origin);
  });
}

Result<void> MetaStore::set_child_owner(EntryId parent, EntryId child, uint32_t child_owner) {
  return write([&](Tables& t) -> Result<void> {
    auto set = [&](const Dentry& d) { return t.set_dentry_child(d.seq, child, proto::FT_DIR, stored_owner(child_owner)); };
    for (const Dentry& d : COMBFS_TRY(all_dentries(t, parent)))
      if (d.child == child) return set(d);
    // Renamed since: find the name wherever it is here (rare, so a scan).
    for (int64_t after = 0;;) {
      auto page = COMBFS_TRY(t.list_all_dentries(after, kPage));
      if (page.empty()) break;
      after = page.back().seq;
      for (const Dentry& d : page)
        if (d.child == child) return set(d);
    }
    return {};  // the name is gone: nothing points at the old owner
  });
}

std::optional<uint32_t> MetaStore::moved_to(EntryId id) const {
  if (!any_moved_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(moved_mutex_);
  auto it = moved_.find(id);
  if (it == moved_.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<proto::MigrationRecord>> MetaStore::migrations() {
  return read([&](Tables& t) -> Result<std::vector<proto::MigrationRecord>> {
    std::vector<proto::MigrationRecord> out;
    for (const auto& blob : COMBFS_TRY(t.list_migrations())) out.emplace_back().ParseFromString(blob);
    return out;
  });
}

Result<std::vector<proto::DirShard>> MetaStore::subdirs(EntryId dir) {
  return read([&](Tables& t) -> Result<std::vector<proto::DirShard>> {
    std::vector<proto::DirShard> out;
    for (const Dentry& d : COMBFS_TRY(all_dentries(t, dir))) {
      if (d.child_type != proto::FT_DIR) continue;
      auto& s = out.emplace_back();
      d.child.to_proto(s.mutable_id());
      s.set_owner(node_of(d.child_owner));
    }
    return out;
  });
}

Result<std::vector<std::pair<EntryId, uint64_t>>> MetaStore::largest_directories(size_t limit) {
  return read([&](Tables& t) { return t.largest_directories(limit); });
}

Result<void> MetaStore::load_moved() {
  auto rows = COMBFS_TRY(read([](Tables& t) { return t.list_moved(); }));
  std::lock_guard lock(moved_mutex_);
  for (auto& [id, node] : rows) moved_[id] = node;
  any_moved_.store(!moved_.empty(), std::memory_order_release);
  return {};
}

void MetaStore::apply_moved(const std::vector<std::pair<EntryId, uint32_t>>& changes) {
  if (changes.empty()) return;
  std::lock_guard lock(moved_mutex_);
  for (const auto& [id, node] : changes) {
    if (node == 0)
      moved_.erase(id);
    else
      moved_[id] = node;
  }
  any_moved_.store(!moved_.empty(), std::memory_order_release);
}

}  // namespace combfs::metad
