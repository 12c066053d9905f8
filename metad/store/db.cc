#include "metad/store/db.h"

#include <fmt/format.h>

#include "common/env/env.h"
#include "common/env/sqlite_vfs.h"

namespace combfs::metad {

namespace {
Status sqlite_status(sqlite3* db, int rc, const std::string& path, const std::string& what) {
  ErrorCode code = rc == SQLITE_FULL ? proto::NO_SPACE : proto::IO_ERROR;
  std::string hint = rc == SQLITE_FULL ? " (free space on the metadata disk)"
                     : rc == SQLITE_BUSY ? " (another process holds the database; is a second metad running on this data directory?)"
                                         : "";
  return Status(code, fmt::format("metadata database {}: {}: {}{}", path, what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), hint));
}
}  // namespace

Query::~Query() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Query& Query::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index + 1, value);
  return *this;
}

Query& Query::bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index + 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bind_blob(int index, const std::string& value) {
  sqlite3_bind_blob(stmt_, index + 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bind_null(int index) {
  sqlite3_bind_null(stmt_, index + 1);
  return *this;
}

Result<bool> Query::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(sqlite_status(sqlite3_db_handle(stmt_), rc, *db_path_, sqlite3_sql(stmt_)));
}

Result<void> Query::run() {
  for (;;) {
    bool row = COMBFS_TRY(step());
    if (!row) return {};
  }
}

std::string Query::text(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int len = sqlite3_column_bytes(stmt_, col);
  if (!data || len <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<size_t>(len));
}

Result<CommitSync> parse_commit_sync(const std::string& text) {
  if (text == "group") return CommitSync::group;
  if (text == "each") return CommitSync::each;
  if (text == "off") return CommitSync::off;
  return error(proto::INVALID_ARGUMENT,
               fmt::format("commit sync '{}' is not one of group (the default), each, off", text));
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, CommitSync sync) {
  COMBFS_CHECK(env::install_sqlite_vfs());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = sqlite_status(raw, rc, path, "cannot open (check that the data directory exists and is writable)");
    sqlite3_close(raw);
    return std::unexpected(s);
  }
  std::unique_ptr<Db> db(new Db(raw, path, sync));
  sqlite3_busy_timeout(raw, 5000);
  // metad is the database's only user: holding the lock for good saves the
  // fcntl lock calls of every transaction and the WAL's shared-memory index,
  // and a second metad started on the same data directory fails here instead
  // of writing beside the first. Must come before the first access in WAL mode.
  COMBFS_CHECK(db->exec("PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL;"));
  // NORMAL still syncs the WAL before each checkpoint copies it into the
  // database, so what group commit made durable stays durable.
  COMBFS_CHECK(db->exec(sync == CommitSync::each ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  // journal_mode answers with the mode it got; a file system without shared
  // memory support silently stays in rollback mode, which we refuse.
  auto q = COMBFS_TRY(db->query("PRAGMA journal_mode"));
  if (!COMBFS_TRY(q.step()) || q.text(0) != "wal")
    return error(proto::IO_ERROR, fmt::format("metadata database {}: cannot switch to WAL mode (got '{}'); put the data "
                                              "directory on a local file system",
                                              path, q.text(0)));
  return db;
}

Result<void> Db::sync_wal() const {
  // The WAL exists from the first commit on and, with the exclusive lock,
  // stays until the connection closes.
  return env::Env::get().sync_path(path_ + "-wal");
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<void> Db::exec(const std::string& sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string text = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return error(rc == SQLITE_FULL ? proto::NO_SPACE : proto::IO_ERROR,
                 fmt::format("metadata database {}: {}: {}", path_, sql, text));
  }
  return {};
}

Result<Query> Db::query(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(sqlite_status(db_, rc, path_, "cannot prepare " + sql));
    it = cache_.emplace(sql, stmt).first;
  }
  return Query(it->second, &path_);
}

Result<Transaction> Transaction::begin(Db& db) {
  COMBFS_CHECK(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  auto r = db_->exec("COMMIT");
  if (!r) return r;  // the destructor rolls back
  db_ = nullptr;
  return {};
}

}  // namespace combfs::metad
