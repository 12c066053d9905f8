// A thin layer over the SQLite C API for metad's namespace: one connection,
// cached prepared statements, transactions. Every failure is a Status naming
// the database file and the statement, so an operator can tell what broke.
//
// Not thread-safe: the owner (MetaStore) serialises all use with its mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/status.h"

namespace combfs::metad {

// One use of a cached prepared statement. Parameters and columns are 0-based
// here (unlike SQLite's 1-based parameters). The destructor resets the
// statement, so it is ready for the next use; never hold two Queries of the
// same SQL text at once.
class Query {
 public:
  Query(sqlite3_stmt* stmt, const std::string* db_path) : stmt_(stmt), db_path_(db_path) {}
  ~Query();
  Query(Query&& other) noexcept : stmt_(other.stmt_), db_path_(other.db_path_) { other.stmt_ = nullptr; }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Unsigned values are stored bit for bit as SQLite's signed 64-bit integers.
  Query& bind(int index, int64_t value);
  Query& bind(int index, uint64_t value) { return bind(index, static_cast<int64_t>(value)); }
  Query& bind(int index, uint32_t value) { return bind(index, static_cast<int64_t>(value)); }
  Query& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Query& bind(int index, const std::string& value);  // TEXT, bytes as they are
  Query& bind_blob(int index, const std::string& value);
  Query& bind_null(int index);

  // Steps once. Returns true when a row is available, false when done.
  Result<bool> step();
  // Steps until done (statements without result rows).
  Result<void> run();

  int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
  uint64_t u64(int col) const { return static_cast<uint64_t>(sqlite3_column_int64(stmt_, col)); }
  uint32_t u32(int col) const { return static_cast<uint32_t>(sqlite3_column_int64(stmt_, col)); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const;  // TEXT or BLOB bytes

 private:
  sqlite3_stmt* stmt_;
  const std::string* db_path_;
};

// How a commit becomes durable (docs/posix.md, "Durability"):
// - group: COMMIT writes the WAL without syncing it; the owner syncs it once
//   for a batch of commits (sync_wal(), through GroupCommit) before answering
//   any of them. The default.
// - each: SQLite syncs the WAL at every COMMIT (synchronous=FULL), one fsync
//   per transaction under the store's lock: the baseline group commit beats.
// - off: nothing is synced at commit (synchronous=NORMAL); a kill -9 loses
//   nothing, a power loss loses the last commits. For scratch file systems.
enum class CommitSync { group, each, off };
Result<CommitSync> parse_commit_sync(const std::string& text);

class Db {
 public:
  // Opens (creating if missing) `path` in WAL mode. Any mode keeps the
  // database consistent after a crash; `sync` says what a commit promises.
  static Result<std::unique_ptr<Db>> open(const std::string& path, CommitSync sync);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  const std::string& path() const { return path_; }
  CommitSync commit_sync() const { return sync_; }

  // Makes every transaction committed so far durable (fdatasync of the WAL
  // through the storage seam). Safe to call from any thread, also while
  // another one runs a transaction: it touches only the file, not the connection.
  Result<void> sync_wal() const;

  // Runs one or more statements without parameters (schema, pragmas).
  Result<void> exec(const std::string& sql);
  // The cached prepared statement for `sql` (compiled on first use).
  Result<Query> query(const std::string& sql);

 private:
  Db(sqlite3* db, std::string path, CommitSync sync) : db_(db), path_(std::move(path)), sync_(sync) {}
  sqlite3* db_;
  std::string path_;
  CommitSync sync_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;  // SQL text -> compiled statement
};

// Begins a write transaction (BEGIN IMMEDIATE); rolls it back on destruction
// unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Db& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Db& db) : db_(&db) {}
  Db* db_;
};

}  // namespace combfs::metad
