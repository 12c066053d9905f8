// Tables: the rows that subtree migration adds (docs/metadata.md "Migration"):
// forwarding records of entries that moved to another metad, the log of
// moves, and the side rows (xattrs, opens) that travel with an inode.
#include "metad/store/tables.h"

namespace combfs::metad {

namespace {
// Created on every open (no schema version of their own): new tables only.
constexpr const char* kMigrationSchema = R"sql(
CREATE TABLE IF NOT EXISTS moved (
  id_hi INTEGER NOT NULL, id_lo INTEGER NOT NULL,
  node INTEGER NOT NULL, moved_ns INTEGER NOT NULL,
  PRIMARY KEY (id_hi, id_lo)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS migrations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  record BLOB NOT NULL);
)sql";
}  // namespace

Result<void> Tables::create_migration_schema() { return db_.exec(kMigrationSchema); }

Result<std::vector<std::pair<std::string, std::string>>> Tables::list_xattr_values(EntryId id) {
  auto q = COMBFS_TRY(db_.query("SELECT name, value FROM xattrs WHERE id_hi = ? AND id_lo = ? ORDER BY name"));
  q.bind(0, id.hi).bind(1, id.lo);
  std::vector<std::pair<std::string, std::string>> out;
  while (COMBFS_TRY(q.step())) out.emplace_back(q.text(0), q.text(1));
  return out;
}

Result<std::vector<std::pair<uint64_t, OpenCounts>>> Tables::list_opens(EntryId id) {
  auto q = COMBFS_TRY(
      db_.query("SELECT client_id, readers, writers FROM opens WHERE id_hi = ? AND id_lo = ? ORDER BY client_id"));
  q.bind(0, id.hi).bind(1, id.lo);
  std::vector<std::pair<uint64_t, OpenCounts>> out;
  while (COMBFS_TRY(q.step())) out.emplace_back(q.u64(0), OpenCounts{q.u32(1), q.u32(2)});
  return out;
}

Result<void> Tables::delete_opens(EntryId id) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM opens WHERE id_hi = ? AND id_lo = ?"));
  q.bind(0, id.hi).bind(1, id.lo);
  return q.run();
}

Result<uint64_t> Tables::count_remote_names(EntryId id) {
  auto q = COMBFS_TRY(db_.query("SELECT count(*) FROM remote_names WHERE id_hi = ? AND id_lo = ?"));
  q.bind(0, id.hi).bind(1, id.lo);
  COMBFS_CHECK(q.step());
  return q.u64(0);
}

Result<bool> Tables::has_remote_name(EntryId id, uint32_t node, EntryId parent, const std::string& name) {
  auto q = COMBFS_TRY(db_.query(
      "SELECT 1 FROM remote_names WHERE id_hi = ? AND id_lo = ? AND node = ? AND parent_hi = ? AND parent_lo = ? "
      "AND name = ?"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, node).bind(3, parent.hi).bind(4, parent.lo).bind(5, name);
  return q.step();
}

Result<void> Tables::put_moved(EntryId id, uint32_t node, int64_t moved_ns) {
  auto q = COMBFS_TRY(db_.query(
      "INSERT INTO moved(id_hi, id_lo, node, moved_ns) VALUES(?,?,?,?) "
      "ON CONFLICT(id_hi, id_lo) DO UPDATE SET node = excluded.node, moved_ns = excluded.moved_ns"));
  q.bind(0, id.hi).bind(1, id.lo).bind(2, node).bind(3, moved_ns);
  return q.run();
}

Result<bool> Tables::delete_moved(EntryId id) {
  auto q = COMBFS_TRY(db_.query("DELETE FROM moved WHERE id_hi = ? AND id_lo = ? RETURNING 1"));
  q.bind(0, id.hi).bind(1, id.lo);
  bool deleted = COMBFS_TRY(q.step());
  COMBFS_CHECK(q.run());
  return deleted;
}

Result<std::vector<std::pair<EntryId, uint32_t>>> Tables::list_moved() {
  auto q = COMBFS_TRY(db_.query("SELECT id_hi, id_lo, node FROM moved"));
  std::vector<std::pair<EntryId, uint32_t>> out;
  while (COMBFS_TRY(q.step())) out.emplace_back(EntryId{q.u64(0), q.u64(1)}, q.u32(2));
  return out;
}

Result<void> Tables::insert_migration(const std::string& record) {
  auto q = COMBFS_TRY(db_.query("INSERT INTO migrations(record) VALUES(?)"));
  q.bind_blob(0, record);
  return q.run();
}

Result<std::vector<std::string>> Tables::list_migrations() {
  auto q = COMBFS_TRY(db_.query("SELECT record FROM migrations ORDER BY seq"));
  std::vector<std::string> out;
  while (COMBFS_TRY(q.step())) out.push_back(q.text(0));
  return out;
}

Result<std::vector<std::pair<EntryId, uint64_t>>> Tables::largest_directories(size_t limit) {
  auto q = COMBFS_TRY(db_.query(
      "SELECT parent_hi, parent_lo, count(*) AS n FROM dentries GROUP BY parent_hi, parent_lo ORDER BY n DESC LIMIT ?"));
  q.bind(0, static_cast<int64_t>(limit));
  std::vector<std::pair<EntryId, uint64_t>> out;
  while (COMBFS_TRY(q.step())) out.emplace_back(EntryId{q.u64(0), q.u64(1)}, q.u64(2));
  return out;
}

}  // namespace combfs::metad
