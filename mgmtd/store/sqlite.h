// A thin RAII layer over the SQLite C API for mgmtd's registry: one connection,
// prepared statements, transactions. Every failure is a Status naming the
// database file and the statement, so an operator can tell what broke.
//
// Not thread-safe: the owner (Registry) serialises all use with its mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace combfs::mgmtd {

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, std::string db_path) : stmt_(stmt), db_path_(std::move(db_path)) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based like SQLite's.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, const std::string& value);

  // Steps once. Returns true when a row is available, false when done.
  Result<bool> step();
  // Steps until done (statements without result rows).
  Result<void> run();

  int64_t column_int(int index) const;
  std::string column_text(int index) const;

 private:
  sqlite3_stmt* stmt_;
  std::string db_path_;
};

class Database {
 public:
  // Opens (creating if missing) `path` in WAL mode with synchronous=FULL: a
  // committed transaction survives a process crash and a power loss.
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();

  const std::string& path() const { return path_; }

  Result<void> exec(const std::string& sql);
  Result<Statement> prepare(const std::string& sql);

  // Returns an error describing `what` with SQLite's last message.
  Status failure(const std::string& what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// Begins a transaction; rolls it back on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace combfs::mgmtd
