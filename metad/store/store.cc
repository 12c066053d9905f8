// MetaStore: opening the database, entry ids, the root, and the helpers every
// operation shares.
#include "metad/store/store.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <sys/stat.h>

#include "common/daemon.h"
#include "metad/store/journal_steps.h"
#include "metad/store/store_internal.h"
#include "striping/striping.h"

namespace combfs::metad {

proto::StripePattern default_root_pattern() {
  proto::StripePattern p;
  p.set_type(proto::PATTERN_RAID0);
  p.set_chunk_size(striping::kDefaultChunkSize);
  p.set_num_targets(striping::kDefaultNumTargets);
  p.set_pool_id(0);
  return p;
}

Result<void> check_name(const std::string& name) {
  if (name.empty()) return error(proto::META_INVALID, "empty file name");
  if (name == "." || name == "..")
    return error(proto::META_INVALID, fmt::format("'{}' cannot be created, removed or renamed", name));
  if (name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    return error(proto::META_INVALID, fmt::format("file name '{}' contains '/' or a NUL byte", name));
  if (name.size() > kMaxNameLength)
    return error(proto::META_NAME_TOO_LONG,
                 fmt::format("file name of {} bytes is longer than {} bytes", name.size(), kMaxNameLength));
  return {};
}

MetaStore::MetaStore(StoreOptions options)
    : options_(std::move(options)),
      commits_(options_.commit_sync == CommitSync::group ? std::function<Result<void>()>([this] { return db_->sync_wal(); })
                                                         : nullptr) {}
MetaStore::~MetaStore() = default;

Result<std::unique_ptr<MetaStore>> MetaStore::open(StoreOptions options) {
  if (options.node_id == 0)
    return error(proto::INVALID_ARGUMENT, "metadata store needs this metad's node id (from mgmtd) to name new entries");
  if (!options.clock) options.clock = now_ns;
  std::unique_ptr<MetaStore> store(new MetaStore(std::move(options)));
  store->db_ = COMBFS_TRY(Db::open(store->options_.path, store->options_.commit_sync));
  store->tables_ = std::make_unique<Tables>(*store->db_);
  Tables& t = *store->tables_;
  COMBFS_CHECK(t.create_schema());

  // New ids continue after every id ever handed out, also by an earlier node id.
  auto next = COMBFS_TRY(t.get_meta("next_lo"));
  store->next_lo_ = next ? static_cast<uint64_t>(*next) : 2;
  auto old_node = COMBFS_TRY(t.get_meta("node_id"));
  if (old_node && static_cast<uint32_t>(*old_node) != store->options_.node_id)
    spdlog::warn("metadata database {} was written by node id {}, now running as node id {} (was mgmtd's database "
                 "reset?); existing entries keep their ids",
                 store->options_.path, *old_node, store->options_.node_id);
  COMBFS_CHECK(store->write([&](Tables& t) -> Result<void> {
    COMBFS_CHECK(t.set_meta("node_id", store->options_.node_id));
    return store->sweep_orphans(t);
  }));
  store->entries_ = COMBFS_TRY(store->read([](Tables& t) { return t.count_inodes(); }));
  COMBFS_CHECK(store->load_moved());
  return store;
}

Result<void> MetaStore::sweep_orphans(Tables& t) {
  auto orphans = COMBFS_TRY(t.orphans_without_opens());
  for (EntryId id : orphans) {
    auto inode = COMBFS_TRY(t.find_inode(id));
    if (!inode) continue;
    spdlog::info("removing orphan {} that no client has open any more", id.to_string());
    COMBFS_CHECK(remove_inode(t, *inode));
  }
  return {};
}

Result<void> MetaStore::ensure_root() {
  return write([&](Tables& t) -> Result<void> {
    if (COMBFS_TRY(t.find_inode(EntryId::root()))) return {};
    Inode root;
    root.id = EntryId::root();
    root.type = proto::FT_DIR;
    root.mode = S_IFDIR | 0755;
    root.size = kDirSize;
    root.nlink = 2;
    root.atime_ns = root.mtime_ns = root.ctime_ns = now();
    root.parent = EntryId::root();
    root.pattern = default_root_pattern();
    COMBFS_CHECK(t.insert_inode(root));
    effects_.entry_delta += 1;
    spdlog::info("created the root directory {}", root.id.to_string());
    return {};
  });
}

uint64_t MetaStore::entry_count() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

void MetaStore::set_removal_listener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  removal_listener_ = std::move(listener);
}

Result<EntryId> MetaStore::allocate_id(Tables& t) {
  // The counter is written in the same transaction as the entry that uses it;
  // a rolled-back id was never visible, so reusing it after a restart is safe.
  EntryId id{options_.node_id, next_lo_++};
  COMBFS_CHECK(t.set_meta("next_lo", static_cast<int64_t>(next_lo_)));
  return id;
}

Result<proto::EntryInfo> MetaStore::info_of(Tables& t, const Inode& inode) {
  uint32_t writers = 0;
  if (!inode.is_dir()) writers = COMBFS_TRY(t.open_totals(inode.id)).writers;
  return inode.to_info(options_.node_id, writers);
}

Result<Inode> MetaStore::load(Tables& t, EntryId id) {
  auto inode = COMBFS_TRY(t.find_inode(id));
  if (!inode)
    return error(proto::META_NOT_FOUND,
                 fmt::format("entry {} does not exist on metad {} (it was removed)", id.to_string(), options_.node_id));
  return std::move(*inode);
}

Result<Inode> MetaStore::load_dir(Tables& t, EntryId id) {
  auto inode = COMBFS_TRY(t.find_inode(id));
  if (!inode)
    return error(proto::META_NOT_FOUND,
                 fmt::format("directory {} does not exist on metad {} (it was removed)", id.to_string(), options_.node_id));
  if (!inode->is_dir()) return error(proto::META_NOT_DIR, fmt::format("{} is not a directory", id.to_string()));
  // A hashed directory keeps no names itself; the client learns its shards
  // from GetAttr and sends the request to the shard of the name.
  if (!inode->shards.empty())
    return error(proto::META_HASHED_DIR,
                 fmt::format("directory {} is hashed over {} shards: send requests about its names to the shard of "
                             "the name (GetAttr lists them)",
                             id.to_string(), inode->shards.size()));
  return std::move(*inode);
}

Result<Inode> MetaStore::load_dir_for_insert(Tables& t, EntryId id) {
  Inode dir = COMBFS_TRY(load_dir(t, id));
  if (dir.state == Inode::kRemoving)
    return error(proto::META_NOT_FOUND, fmt::format("directory {} is being removed", id.to_string()));
  return dir;
}

proto::EntryInfo MetaStore::partial_info(const Dentry& d) const {
  proto::EntryInfo info;
  d.child.to_proto(info.mutable_attr()->mutable_id());
  info.mutable_attr()->set_type(d.child_type);
  info.mutable_attr()->set_owner_node(node_of(d.child_owner));
  info.set_partial(true);
  return info;
}

proto::MetaJournalRecord MetaStore::release_record(const Dentry& d) const {
  proto::MetaJournalRecord r;
  r.set_op(proto::JOURNAL_RELEASE);
  r.set_state(proto::JOURNAL_COMMITTED);
  d.parent.to_proto(r.mutable_parent());
  r.set_name(d.name);
  d.child.to_proto(r.mutable_child());
  r.set_child_owner(node_of(d.child_owner));
  r.set_child_type(d.child_type);
  *r.add_redo() = name_step(node_of(d.child_owner), d.child, false, options_.node_id, d.parent, d.name);
  return r;
}

std::string describe(const proto::MetaJournalRecord& r) {
  static const char* ops[] = {"mkdir", "rmdir", "release", "rename", "rename-out", "link", "sethash"};
  const char* op = r.op() >= 0 && r.op() < 7 ? ops[r.op()] : r.op() == proto::JOURNAL_MIGRATE ? "migrate" : "?";
  return fmt::format("{} '{}' in {} ({} {} on metad {}, {})", op, r.name(), EntryId::from_proto(r.parent()).to_string(),
                     r.child_type() == proto::FT_DIR ? "directory" : "entry", EntryId::from_proto(r.child()).to_string(),
                     r.child_owner(), r.state() == proto::JOURNAL_COMMITTED ? "committed" : "not committed");
}

Result<int64_t> MetaStore::add_record(Tables& t, proto::MetaJournalRecord& record) {
  record.set_created_ns(now());
  int64_t seq = COMBFS_TRY(t.insert_journal(record.SerializeAsString(), record.created_ns()));
  if (record.op() == proto::JOURNAL_RENAME_OUT) {
    // The insert is applied once per (origin, op): the record's seq names it.
    record.mutable_insert()->set_origin(options_.node_id);
    record.mutable_insert()->set_op(static_cast<uint64_t>(seq));
    COMBFS_CHECK(t.update_journal(seq, record.SerializeAsString()));
  }
  return seq;
}

Result<proto::MetaJournalRecord> MetaStore::load_record(Tables& t, int64_t seq) {
  auto blob = COMBFS_TRY(t.find_journal(seq));
  if (!blob) return error(proto::META_NOT_FOUND, fmt::format("journal record {} is gone", seq));
  proto::MetaJournalRecord record;
  if (!record.ParseFromString(*blob))
    return error(proto::INTERNAL, fmt::format("journal record {} in {} does not parse", seq, options_.path));
  return record;
}

Result<void> MetaStore::put_record(Tables& t, int64_t seq, const proto::MetaJournalRecord& record) {
  return t.update_journal(seq, record.SerializeAsString());
}

Result<Dentry> MetaStore::load_dentry(Tables& t, EntryId parent, const std::string& name) {
  auto d = COMBFS_TRY(t.find_dentry(parent, name));
  if (!d) return no_entry(parent, name);
  return std::move(*d);
}

Result<void> MetaStore::touch_dir(Tables& t, Inode& dir) {
  dir.mtime_ns = dir.ctime_ns = now();
  return t.update_inode(dir);
}

Result<void> MetaStore::remove_inode(Tables& t, const Inode& inode) {
  COMBFS_CHECK(t.delete_inode(inode.id));
  effects_.entry_delta -= 1;
  if (inode.is_reg() && !inode.targets.empty()) {
    std::vector<uint32_t> places = inode.targets;
    if (inode.pattern.type() == proto::PATTERN_BUDDYMIRROR)
      for (uint32_t& group : places) group |= kMirrorGroupTag;
    COMBFS_CHECK(t.enqueue_removal(inode.id, places));
    effects_.enqueued = true;
  }
  return {};
}

Result<void> MetaStore::drop_link(Tables& t, Inode& child) {
  if (child.is_dir()) return remove_inode(t, child);  // only empty directories get here
  child.nlink = child.nlink > 0 ? child.nlink - 1 : 0;
  child.ctime_ns = now();
  if (child.nlink > 0) return t.update_inode(child);
  auto opens = COMBFS_TRY(t.open_totals(child.id));
  if (opens.readers + opens.writers > 0) {
    child.orphan = true;
    return t.update_inode(child);
  }
  return remove_inode(t, child);
}

Result<std::optional<bool>> MetaStore::is_in_subtree(Tables& t, EntryId dir, EntryId ancestor) {
  // Walks up the parent chain; the depth bound only guards against a corrupt loop.
  EntryId cur = dir;
  for (int depth = 0; depth < 100000; ++depth) {
    if (cur == ancestor) return std::optional<bool>(true);
    if (cur == EntryId::root() || cur.is_null()) return std::optional<bool>(false);
    auto inode = COMBFS_TRY(t.find_inode(cur));
    if (!inode) return std::optional<bool>();  // the chain leaves this metad
    if (is_remote_owner(inode->parent_owner)) {
      if (inode->parent == ancestor) return std::optional<bool>(true);
      return std::optional<bool>();
    }
    cur = inode->parent;
  }
  return error(proto::INTERNAL, fmt::format("parent chain of directory {} does not end at the root", dir.to_string()));
}

Result<uint64_t> MetaStore::removal_queue_size() {
  return read([](Tables& t) { return t.count_removals(); });
}

Result<std::vector<Removal>> MetaStore::pending_removals(size_t limit) {
  // A removal leaves metad: the unlink that queued it must be durable first,
  // or a power loss brings the name back without its chunks.
  auto rows = read([&](Tables& t) { return t.list_removals(limit); });
  COMBFS_CHECK(wait_durable_seen(kRideAlongPatience));
  return rows;
}

Result<void> MetaStore::complete_removal(int64_t seq, const std::vector<uint32_t>& done) {
  return write([&](Tables& t) -> Result<void> {
    auto row = COMBFS_TRY(t.find_removal(seq));
    if (!row) return {};
    std::vector<uint32_t> left;
    for (uint32_t target : row->targets)
      if (std::find(done.begin(), done.end(), target) == done.end()) left.push_back(target);
    if (left.empty()) return t.delete_removal(seq);
    if (left.size() != row->targets.size()) return t.update_removal(seq, left);
    return {};
  }, Await::nothing);  // lost in a crash, the removal is asked again: removing a removed chunk is a no-op
}

}  // namespace combfs::metad
