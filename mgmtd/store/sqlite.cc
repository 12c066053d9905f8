#include "mgmtd/store/sqlite.h"

#include <fmt/format.h>

#include "common/env/sqlite_vfs.h"

namespace combfs::mgmtd {

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_path_(std::move(other.db_path_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(proto::IO_ERROR,
               fmt::format("mgmtd database '{}': '{}' failed: {}; check the disk and the file's permissions", db_path_,
                           sqlite3_sql(stmt_), sqlite3_errmsg(sqlite3_db_handle(stmt_))));
}

Result<void> Statement::run() {
  while (COMBFS_TRY(step())) {
  }
  return {};
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
  auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text ? std::string(text, sqlite3_column_bytes(stmt_, index)) : std::string();
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  COMBFS_CHECK(env::install_sqlite_vfs());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK)
    return error(proto::IO_ERROR, fmt::format("cannot open mgmtd database '{}': {}; check that --data-dir is writable",
                                              path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  // Another process holding the database (a second mgmtd on the same data dir)
  // would otherwise make writes fail at once; wait a little, then fail clearly.
  sqlite3_busy_timeout(raw, 5000);
  COMBFS_CHECK(db->exec("PRAGMA journal_mode=WAL"));
  // Every commit is synced: mgmtd writes only when the cluster changes
  // (registrations, reachability, map versions), never per I/O, and a map
  // version handed out must never be handed out again after a power loss.
  COMBFS_CHECK(db->exec("PRAGMA synchronous=FULL"));
  COMBFS_CHECK(db->exec("PRAGMA foreign_keys=ON"));
  return db;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Status Database::failure(const std::string& what) const {
  return Status(proto::IO_ERROR, fmt::format("mgmtd database '{}': {} failed: {}; check the disk and the file's permissions",
                                             path_, what, sqlite3_errmsg(db_)));
}

Result<void> Database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return error(proto::IO_ERROR,
                 fmt::format("mgmtd database '{}': '{}' failed: {}; check the disk and the file's permissions", path_,
                             sql.substr(0, 80), text));
  }
  return {};
}

Result<Statement> Database::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    return error(failure(fmt::format("preparing '{}'", sql)));
  return Statement(stmt, path_);
}

Result<Transaction> Transaction::begin(Database& db) {
  // IMMEDIATE takes the write lock now, so a commit cannot fail on lock upgrade.
  COMBFS_CHECK(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  COMBFS_CHECK(db_->exec("COMMIT"));
  db_ = nullptr;
  return {};
}

}  // namespace combfs::mgmtd
