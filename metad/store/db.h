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

class Db {
 public:
  // Opens (creating if missing) `path` in WAL mode with synchronous=NORMAL: a
  // committed transaction survives a crash of the process (kill -9); after a
  // power loss the last commits may be lost but the database stays consistent.
  static Result<std::unique_ptr<Db>> open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  const std::string& path() const { return path_; }

  // Runs one or more statements without parameters (schema, pragmas).
  Result<void> exec(const std::string& sql);
  // The cached prepared statement for `sql` (compiled on first use).
  Result<Query> query(const std::string& sql);

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
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
