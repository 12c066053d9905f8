#include "metad/store/tables.h"

#include <fmt/format.h>

namespace combfs::metad {

namespace {

constexpr int64_t kSchemaVersion = 3;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS inodes (
  id_hi INTEGER NOT NULL, id_lo INTEGER NOT NULL,
  type INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,
  size INTEGER NOT NULL, nlink INTEGER NOT NULL,
  atime_ns INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
  rdev INTEGER NOT NULL,
  symlink TEXT NOT NULL,
  parent_hi INTEGER NOT NULL, parent_lo INTEGER NOT NULL,
  pattern_type INTEGER NOT NULL, chunk_size INTEGER NOT NULL, num_targets INTEGER NOT NULL, pool_id INTEGER NOT NULL,
  targets TEXT NOT NULL,
  orphan INTEGER NOT NULL,
  PRIMARY KEY (id_hi, id_lo)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inodes_orphans ON inodes(orphan) WHERE orphan = 1;
CREATE TABLE IF NOT EXISTS dentries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_hi INTEGER NOT NULL, parent_lo INTEGER NOT NULL,
  name TEXT NOT NULL,
  child_hi INTEGER NOT NULL, child_lo INTEGER NOT NULL, child_type INTEGER NOT NULL,
  UNIQUE (parent_hi, parent_lo, name));
CREATE INDEX IF NOT EXISTS dentries_by_dir ON dentries(parent_hi, parent_lo, seq);
CREATE TABLE IF NOT EXISTS xattrs (
  id_hi INTEGER NOT NULL, id_lo INTEGER NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (id_hi, id_lo, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS opens (
  id_hi INTEGER NOT NULL, id_lo INTEGER NOT NULL, client_id INTEGER NOT NULL,
  readers INTEGER NOT NULL, writers INTEGER NOT NULL,
  PRIMARY KEY (id_hi, id_lo, client_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS opens_by_client ON opens(client_id);
CREATE TABLE IF NOT EXISTS removal_queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id_hi INTEGER NOT NULL, id_lo INTEGER NOT NULL,
  targets TEXT NOT NULL);
)sql";

// Version 2: several metads. Columns added with defaults that describe every
// row of a version-1 database (everything local, nothing pending), and the
// tables of cross-owner operations.
constexpr const char* kMigrateTo2 = R"sql(
ALTER TABLE inodes ADD COLUMN parent_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inodes ADD COLUMN state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inodes ADD COLUMN state_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dentries ADD COLUMN child_owner INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS remote_names (
  id_hi INTEGER NOT NULL, id_lo INTEGER NOT NULL, node INTEGER NOT NULL,
  parent_hi INTEGER NOT NULL, parent_lo INTEGER NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (id_hi, id_lo, node, parent_hi, parent_lo, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  record BLOB NOT NULL,
  created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS applied_ops (
  origin INTEGER NOT NULL, op INTEGER NOT NULL,
  applied INTEGER NOT NULL, response BLOB NOT NULL, created_ns INTEGER NOT NULL,
  PRIMARY KEY (origin, op)) WITHOUT ROWID;
)sql";

// Version 3: hashed directories.
constexpr const char* kMigrateTo3 = R"sql(
ALTER TABLE inodes ADD COLUMN shards TEXT NOT NULL DEFAULT '';
)sql";

constexpr const char* kInodeColumns =
    "id_hi, id_lo, type, mode, uid, gid, size, nlink, atime_ns, mtime_ns, ctime_ns, rdev, symlink, "
    "parent_hi, parent_lo, pattern_type, chunk_size, num_targets, pool_id, targets, orphan, parent_owner, state, "
    "state_ns, shards";

// Binds an inode's columns in kInodeColumns order starting at `first`.
void bind_inode(Query& q, const Inode& n, int first) {
  const int64_t values[] = {static_cast<int64_t>(n.id.hi),
                            static_cast<int64_t>(n.id.lo),
                            static_cast<int64_t>(n.type),
                            n.mode,
                            n.uid,
                            n.gid,
                            static_cast<int64_t>(n.size),
                            n.nlink,
                            n.atime_ns,
                            n.mtime_ns,
                            n.ctime_ns,
                            static_cast<int64_t>(n.rdev)};
  int i = first;
  for (int64_t v : values) q.bind(i++, v);
  q.bind(i++, n.symlink_target);
  const int64_t rest[] = {static_cast<int64_t>(n.parent.hi), static_cast<int64_t>(n.parent.lo),
                          static_cast<int64_t>(n.pattern.type()), n.pattern.chunk_size(),
                          n.pattern.num_targets(), n.pattern.pool_id()};
  for (int64_t v : rest) q.bind(i++, v);
  q.bind(i++, format_targets(n.targets));
  q.bind(i++, static_cast<int64_t>(n.orphan ? 1 : 0));
  q.bind(i++, n.parent_owner);
  q.bind(i++, static_cast<int64_t>(n.state));
  q.bind(i++, n.state_ns);
  q.bind(i++, format_shards(n.shards));
}

Inode read_inode(const Query& q) {
  Inode n;
  int i = 0;
  n.id.hi = q.u64(i++);
  n.id.lo = q.u64(i++);
  n.type = static_cast<proto::FileType>(q.i64(i++));
  n.mode = q.u32(i++);
  n.uid = q.u32(i++);
  n.gid = q.u32(i++);
  n.size = q.u64(i++);
  n.nlink = q.u32(i++);
  n.atime_ns = q.i64(i++);
  n.mtime_ns = q.i64(i++);
  n.ctime_ns = q.i64(i++);
  n.rdev = q.u64(i++);
  n.symlink_target = q.text(i++);
  n.parent.hi = q.u64(i++);
  n.parent.lo = q.u64(i++);
  n.pattern.set_type(static_cast<proto::PatternType>(q.i64(i++)));
  n.pattern.set_chunk_size(q.u32(i++));
  n.pattern.set_num_targets(q.u32(i++));
  n.pattern.set_pool_id(q.u32(i++));
  n.targets = parse_targets(q.text(i++));
  n.orphan = q.i64(i++) != 0;
  n.parent_owner = q.u32(i++);
  n.state = static_cast<Inode::State>(q.i64(i++));
  n.state_ns = q.i64(i++);
  n.shards = parse_shards(q.text(i++));
  return n;
}

Dentry read_dentry(const Query& q) {
  Dentry d;
  d.seq = q.i64(0);
  d.parent = EntryId{q.u64(1), q.u64(2)};
  d.name = q.text(3);
  d.child = EntryId{q.u64(4), q.u64(5)};
  d.child_type = static_cast<proto::FileType>(q.i64(6));
  d.child_owner = q.u32(7);
  return d;
}

const std::string kDentryColumns = "seq, parent_hi, parent_lo, name, child_hi, child_lo, child_type, child_owner";

}  // namespace

Result<void> Tables::create_schema() {
  COMBFS_CHECK(db_.exec(kSchema));
  auto version = COMBFS_TRY(get_meta("schema_version"));
  if (version && *version > kSchemaVersion)
    return error(proto::INTERNAL, fmt::format("metadata database {} has schema version {}, this metad knows only {}: "
                                              "run a newer combfs-metad",
                                              db_.path(), *version, kSchemaVersion));
  // kSchema is version 1 (also for a new database); later versions are migrations.
  int64_t v = version.value_or(1);
  if (v < 2) COMBFS_CHECK(db_.exec(kMigrateTo2));
  if (v < 3) COMBFS_CHECK(db_.exec(kMigrateTo3));
  if (v != kSchemaVersion) COMBFS_CHECK(set_meta("schema_version", kSchemaVersion));
  return create_migration_schema();
}

Result<std::optional<int64_t>> Tables::get_meta(const std::string& key) {
  auto q = COMBFS_TRY(db_.query("SELECT value FROM meta WHERE key = ?"));
  q.bind(0, key);
  if (!COMBFS_TRY(q.step())) return std::optional<int64_t>();
  return std::optional<int64_t>(q.i64(0));
}

Result<void> Tables::set_meta(const std::string& key, int64_t value) {
  auto q = COMBFS_TRY(db_.query("INSERT INTO meta(key, value) VALUES(?, ?) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  q.bind(0, key).bind(1, value);
  return q.run();
}

Result<std::optional<Inode>> Tables::find_inode(EntryId id) {
  auto q = COMBFS_TRY(db_.query(fmt::format("SELECT {} FROM inodes WHERE id_hi = ? AND id_lo = ?", kInodeColumns)));
  q.bind(0, id.hi).bind(1, id.lo);
  if (!COMBFS_TRY(q.step())) return std::optional<Inode>();
  return std::optional<Inode>(read_inode(q));
}

Result<void> Tables::insert_inode(const Inode& inode) {
  auto q = COMBFS_TRY(db_.query(fmt::format("INSERT INTO inodes({}) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                            kInodeColumns)));
  bind_inode(q, inode, 0);
  return q.run();
}

Result<void> Tables::update_inode(const Inode& inode) {
  // Same binding order as the insert: the id goes into the WHERE clause.
  auto q = COMBFS_TRY(db_.query(
      "UPDATE inodes SET type = ?3, mode = ?4, uid = ?5, gid = ?6, size = ?7, nlink = ?8, atime_ns = ?9, "
      "mtime_ns = ?10, ctime_ns = ?11, rdev = ?12, symlink = ?13, parent_hi = ?14, parent_lo = ?15, "
      "pattern_type = ?16, chunk_size = ?17, num_targets = ?18, pool_id = ?19, targets = ?20, orphan = ?21, "
      "parent_owner = ?22, state = ?23, state_ns = ?24, shards = ?25 "
      "WHERE id_hi = ?1 AND id_lo = ?2"));
  bind_inode(q, inode, 0);
  return q.run();
}

Result<void> Tables::delete_inode(EntryId id) {
  {
    auto q = COMBFS_TRY(db_.query("DELETE FROM inodes WHERE id_hi = ? AND id_lo = ?"));
    q.bind(0, id.hi).bind(1, id.lo);
    COMBFS_CHECK(q.run());
  }
  auto q = COMBFS_TRY(db_.query("DELETE FROM xattrs WHERE id_hi = ? AND id_lo = ?"));
  q.bind(0, id.hi).bind(1, id.lo);
  return q.run();
}

Result<uint64_t> Tables::count_inodes() {
  auto q = COMBFS_TRY(db_.query("SELECT count(*) FROM inodes"));
  COMBFS_CHECK(q.step());
  return q.u64(0);
}

Result<std::vector<EntryId>> Tables::orphans_without_opens() {
  auto q = COMBFS_TRY(db_.query(
      "SELECT id_hi, id_lo FROM inodes i WHERE orphan = 1 AND NOT EXISTS "
      "(SELECT 1 FROM opens o WHERE o.id_hi = i.id_hi AND o.id_lo = i.id_lo)"));
  std::vector<EntryId> out;
  while (COMBFS_TRY(q.step())) out.push_back(EntryId{q.u64(0), q.u64(1)});
  return out;
}

Result<std::optional<Dentry>> Tables::find_dentry(EntryId parent, const std::string& name) {
  auto q = COMBFS_TRY(
      db_.query("SELECT " + kDentryColumns + " FROM dentries WHERE parent_hi = ? AND parent_lo = ? AND name = ?"));
  q.bind(0, parent.hi).bind(1, parent.lo).bind(2, name);
  if (!COMBFS_TRY(q.step())) return std::optional<Dentry>();
  return std::optional<Dentry>(read_dentry(q));
}

Result<int64_t> Tables::insert_dentry(EntryId parent, const std::string& name, EntryId child, proto::FileType type,
                                      uint32_t child_owner) {
  auto q = COMBFS_TRY(db_.query(
      "INSERT INTO dentries(parent_hi, parent_lo, name, child_hi, child_lo, child_type, child_owner) "
      "VALUES(?,?,?,?,?,?,?) RETURNING seq"));
  q.bind(0, parent.hi).bind(1, parent.lo).bind(2, name).bind(3, child.hi).bind(4, child.lo);
  q.bind(5, static_cast<int64_t>(type)).bind(6, child_owner);
  if (!COMBFS_TRY(q.step())) return error(proto::INTERNAL, "INSERT INTO dentries returned no seq");
  int64_t seq = q.i64(0);
  COMBFS_CHECK(q.run());
  return seq;
}

Result<void> Tables::delete_dentry(int64_t seq) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM dentries WHERE seq = ?"));
  q.bind(0, seq);
  return q.run();
}

Result<void> Tables::set_dentry_child(int64_t seq, EntryId child, proto::FileType type, uint32_t child_owner) {
  auto q = COMBFS_TRY(
      db_.query("UPDATE dentries SET child_hi = ?, child_lo = ?, child_type = ?, child_owner = ? WHERE seq = ?"));
  q.bind(0, child.hi).bind(1, child.lo).bind(2, static_cast<int64_t>(type)).bind(3, child_owner).bind(4, seq);
  return q.run();
}

Result<bool> Tables::dir_is_empty(EntryId dir) {
  auto q = COMBFS_TRY(db_.query("SELECT 1 FROM dentries WHERE parent_hi = ? AND parent_lo = ? LIMIT 1"));
  q.bind(0, dir.hi).bind(1, dir.lo);
  return !COMBFS_TRY(q.step());
}

Result<std::vector<Dentry>> Tables::list_dentries(EntryId dir, int64_t after_seq, uint32_t limit) {
  auto q = COMBFS_TRY(db_.query("SELECT " + kDentryColumns +
                                " FROM dentries WHERE parent_hi = ? AND parent_lo = ? AND seq > ? ORDER BY seq LIMIT ?"));
  q.bind(0, dir.hi).bind(1, dir.lo).bind(2, after_seq).bind(3, limit);
  std::vector<Dentry> out;
  while (COMBFS_TRY(q.step())) out.push_back(read_dentry(q));
  return out;
}

Result<OpenCounts> Tables::open_totals(EntryId id) {
  auto q = COMBFS_TRY(db_.query(
      "SELECT coalesce(sum(readers), 0), coalesce(sum(writers), 0) FROM opens WHERE id_hi = ? AND id_lo = ?"));
  q.bind(0, id.hi).bind(1, id.lo);
  COMBFS_CHECK(q.step());
  return OpenCounts{q.u32(0), q.u32(1)};
}

Result<OpenCounts> Tables::open_counts(EntryId id, uint64_t client_id) {
  auto q = COMBFS_TRY(
      db_.query("SELECT readers, writers FROM opens WHERE id_hi = ? AND id_lo = ? AND client_id = ?"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, client_id);
  if (!COMBFS_TRY(q.step())) return OpenCounts{};
  return OpenCounts{q.u32(0), q.u32(1)};
}

Result<void> Tables::set_open_counts(EntryId id, uint64_t client_id, OpenCounts counts) {
  if (counts.readers == 0 && counts.writers == 0) {
    auto q = COMBFS_TRY(db_.query("DELETE FROM opens WHERE id_hi = ? AND id_lo = ? AND client_id = ?"));
    q.bind(0, id.hi).bind(1, id.lo).bind(2, client_id);
    return q.run();
  }
  auto q = COMBFS_TRY(db_.query(
      "INSERT INTO opens(id_hi, id_lo, client_id, readers, writers) VALUES(?,?,?,?,?) "
      "ON CONFLICT(id_hi, id_lo, client_id) DO UPDATE SET readers = excluded.readers, writers = excluded.writers"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, client_id).bind(3, counts.readers).bind(4, counts.writers);
  return q.run();
}

Result<std::vector<std::pair<EntryId, OpenCounts>>> Tables::opened_by(uint64_t client_id) {
  auto q = COMBFS_TRY(db_.query("SELECT id_hi, id_lo, readers, writers FROM opens WHERE client_id = ?"));
  q.bind(0, client_id);
  std::vector<std::pair<EntryId, OpenCounts>> out;
  while (COMBFS_TRY(q.step())) out.emplace_back(EntryId{q.u64(0), q.u64(1)}, OpenCounts{q.u32(2), q.u32(3)});
  return out;
}

Result<std::vector<uint64_t>> Tables::open_clients() {
  auto q = COMBFS_TRY(db_.query("SELECT DISTINCT client_id FROM opens"));
  std::vector<uint64_t> out;
  while (COMBFS_TRY(q.step())) out.push_back(q.u64(0));
  return out;
}

Result<std::optional<std::string>> Tables::get_xattr(EntryId id, const std::string& name) {
  auto q = COMBFS_TRY(db_.query("SELECT value FROM xattrs WHERE id_hi = ? AND id_lo = ? AND name = ?"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, name);
  if (!COMBFS_TRY(q.step())) return std::optional<std::string>();
  return std::optional<std::string>(q.text(0));
}

Result<void> Tables::put_xattr(EntryId id, const std::string& name, const std::string& value) {
  auto q = COMBFS_TRY(db_.query(
      "INSERT INTO xattrs(id_hi, id_lo, name, value) VALUES(?,?,?,?) "
      "ON CONFLICT(id_hi, id_lo, name) DO UPDATE SET value = excluded.value"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, name).bind_blob(3, value);
  return q.run();
}

Result<bool> Tables::delete_xattr(EntryId id, const std::string& name) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM xattrs WHERE id_hi = ? AND id_lo = ? AND name = ? RETURNING 1"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, name);
  bool deleted = COMBFS_TRY(q.step());
  COMBFS_CHECK(q.run());
  return deleted;
}

Result<std::vector<std::string>> Tables::list_xattrs(EntryId id) {
  auto q = COMBFS_TRY(db_.query("SELECT name FROM xattrs WHERE id_hi = ? AND id_lo = ? ORDER BY name"));
  q.bind(0, id.hi).bind(1, id.lo);
  std::vector<std::string> out;
  while (COMBFS_TRY(q.step())) out.push_back(q.text(0));
  return out;
}

Result<void> Tables::enqueue_removal(EntryId id, const std::vector<uint32_t>& targets) {
  auto q = COMBFS_TRY(db_.query("INSERT INTO removal_queue(id_hi, id_lo, targets) VALUES(?,?,?)"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, format_targets(targets));
  return q.run();
}

Result<std::vector<Removal>> Tables::list_removals(size_t limit) {
  auto q = COMBFS_TRY(db_.query("SELECT seq, id_hi, id_lo, targets FROM removal_queue ORDER BY seq LIMIT ?"));
  q.bind(0, static_cast<int64_t>(limit));
  std::vector<Removal> out;
  while (COMBFS_TRY(q.step())) out.push_back(Removal{q.i64(0), EntryId{q.u64(1), q.u64(2)}, parse_targets(q.text(3))});
  return out;
}

Result<std::optional<Removal>> Tables::find_removal(int64_t seq) {
  auto q = COMBFS_TRY(db_.query("SELECT seq, id_hi, id_lo, targets FROM removal_queue WHERE seq = ?"));
  q.bind(0, seq);
  if (!COMBFS_TRY(q.step())) return std::optional<Removal>();
  return std::optional<Removal>(Removal{q.i64(0), EntryId{q.u64(1), q.u64(2)}, parse_targets(q.text(3))});
}

Result<void> Tables::update_removal(int64_t seq, const std::vector<uint32_t>& targets) {
  auto q = COMBFS_TRY(db_.query("UPDATE removal_queue SET targets = ? WHERE seq = ?"));
  q.bind(0, format_targets(targets)).bind(1, seq);
  return q.run();
}

Result<void> Tables::delete_removal(int64_t seq) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM removal_queue WHERE seq = ?"));
  q.bind(0, seq);
  return q.run();
}

Result<uint64_t> Tables::count_removals() {
  auto q = COMBFS_TRY(db_.query("SELECT count(*) FROM removal_queue"));
  COMBFS_CHECK(q.step());
  return q.u64(0);
}

Result<bool> Tables::insert_remote_name(EntryId id, uint32_t node, EntryId parent, const std::string& name) {
  auto q = COMBFS_TRY(db_.query(
      "INSERT INTO remote_names(id_hi, id_lo, node, parent_hi, parent_lo, name) VALUES(?,?,?,?,?,?) "
      "ON CONFLICT DO NOTHING RETURNING 1"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, node).bind(3, parent.hi).bind(4, parent.lo).bind(5, name);
  bool inserted = COMBFS_TRY(q.step());
  COMBFS_CHECK(q.run());
  return inserted;
}

Result<bool> Tables::delete_remote_name(EntryId id, uint32_t node, EntryId parent, const std::string& name) {
  auto q = COMBFS_TRY(db_.query(
      "DELETE FROM remote_names WHERE id_hi = ? AND id_lo = ? AND node = ? AND parent_hi = ? AND parent_lo = ? "
      "AND name = ? RETURNING 1"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, node).bind(3, parent.hi).bind(4, parent.lo).bind(5, name);
  bool deleted = COMBFS_TRY(q.step());
  COMBFS_CHECK(q.run());
  return deleted;
}

Result<std::vector<RemoteNameRow>> Tables::list_remote_names() {
  auto q = COMBFS_TRY(db_.query("SELECT id_hi, id_lo, node, parent_hi, parent_lo, name FROM remote_names"));
  std::vector<RemoteNameRow> out;
  while (COMBFS_TRY(q.step()))
    out.push_back(RemoteNameRow{EntryId{q.u64(0), q.u64(1)}, q.u32(2), EntryId{q.u64(3), q.u64(4)}, q.text(5)});
  return out;
}

Result<int64_t> Tables::insert_journal(const std::string& record, int64_t created_ns) {
  auto q = COMBFS_TRY(db_.query("INSERT INTO journal(record, created_ns) VALUES(?, ?) RETURNING seq"));
  q.bind_blob(0, record).bind(1, created_ns);
  if (!COMBFS_TRY(q.step())) return error(proto::INTERNAL, "INSERT INTO journal returned no seq");
  int64_t seq = q.i64(0);
  COMBFS_CHECK(q.run());
  return seq;
}

Result<void> Tables::update_journal(int64_t seq, const std::string& record) {
  auto q = COMBFS_TRY(db_.query("UPDATE journal SET record = ? WHERE seq = ?"));
  q.bind_blob(0, record).bind(1, seq);
  return q.run();
}

Result<void> Tables::delete_journal(int64_t seq) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM journal WHERE seq = ?"));
  q.bind(0, seq);
  return q.run();
}

Result<std::optional<std::string>> Tables::find_journal(int64_t seq) {
  auto q = COMBFS_TRY(db_.query("SELECT record FROM journal WHERE seq = ?"));
  q.bind(0, seq);
  if (!COMBFS_TRY(q.step())) return std::optional<std::string>();
  return std::optional<std::string>(q.text(0));
}

Result<std::vector<std::pair<int64_t, std::string>>> Tables::list_journal() {
  auto q = COMBFS_TRY(db_.query("SELECT seq, record FROM journal ORDER BY seq"));
  std::vector<std::pair<int64_t, std::string>> out;
  while (COMBFS_TRY(q.step())) out.emplace_back(q.i64(0), q.text(1));
  return out;
}

Result<std::optional<AppliedOp>> Tables::find_applied(uint32_t origin, uint64_t op) {
  auto q = COMBFS_TRY(db_.query("SELECT applied, response FROM applied_ops WHERE origin = ? AND op = ?"));
  q.bind(0, origin).bind(1, op);
  if (!COMBFS_TRY(q.step())) return std::optional<AppliedOp>();
  return std::optional<AppliedOp>(AppliedOp{q.i64(0) != 0, q.text(1)});
}

Result<void> Tables::put_applied(uint32_t origin, uint64_t op, const AppliedOp& row, int64_t created_ns) {
  auto q = COMBFS_TRY(db_.query(
      "INSERT INTO applied_ops(origin, op, applied, response, created_ns) VALUES(?,?,?,?,?) "
      "ON CONFLICT(origin, op) DO UPDATE SET applied = excluded.applied, response = excluded.response"));
  q.bind(0, origin).bind(1, op).bind(2, static_cast<int64_t>(row.applied ? 1 : 0)).bind_blob(3, row.response);
  q.bind(4, created_ns);
  return q.run();
}

Result<void> Tables::prune_applied(int64_t before_ns) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM applied_ops WHERE created_ns < ?"));
  q.bind(0, before_ns);
  return q.run();
}

Result<std::vector<Inode>> Tables::list_inodes(EntryId after, uint32_t limit) {
  auto q = COMBFS_TRY(db_.query(fmt::format(
      "SELECT {} FROM inodes WHERE id_hi > ?1 OR (id_hi = ?1 AND id_lo > ?2) ORDER BY id_hi, id_lo LIMIT ?3",
      kInodeColumns)));
  q.bind(0, after.hi).bind(1, after.lo).bind(2, limit);
  std::vector<Inode> out;
  while (COMBFS_TRY(q.step())) out.push_back(read_inode(q));
  return out;
}

Result<std::vector<Dentry>> Tables::list_all_dentries(int64_t after_seq, uint32_t limit) {
  auto q = COMBFS_TRY(db_.query("SELECT " + kDentryColumns + " FROM dentries WHERE seq > ? ORDER BY seq LIMIT ?"));
  q.bind(0, after_seq).bind(1, limit);
  std::vector<Dentry> out;
  while (COMBFS_TRY(q.step())) out.push_back(read_dentry(q));
  return out;
}

}  // namespace combfs::metad
