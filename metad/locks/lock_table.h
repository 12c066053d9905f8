// The lock table of one metad: fcntl byte-range locks and flock locks of the
// files it owns, in memory. Pure logic (no I/O, no clock, no threads): the
// caller passes the time and serialises calls (LockService holds a mutex).
//
// Semantics are Linux's (fs/locks.c) for local files:
//   - POSIX locks belong to an Owner (client, kernel lock owner = a process or
//     an open file description). An owner's locks never overlap each other:
//     setting a range replaces what the owner had there, splitting a lock
//     when the new range cuts it, and merging adjacent or overlapping locks of
//     the same type into one. Unlocking a range that holds nothing succeeds.
//   - Two locks of different owners conflict when their ranges overlap and at
//     least one is a write lock. A conflicting request changes nothing.
//   - flock locks cover the whole file, one per owner (an open file
//     description); shared/exclusive like read/write. Converting keeps the old
//     lock when the new one is refused (Linux drops it; see docs/posix.md).
//     flock and POSIX locks never conflict with each other (Linux local FS).
//   - Deadlock detection (EDEADLK) for waiting POSIX requests: a request that
//     would wait for an owner that waits (directly or through other waiters)
//     for this request's owner is refused with `deadlock`. Waiters are known
//     from refused waiting requests; a waiter that does not ask again within
//     `waiter_ttl_ms` is forgotten (a waiting client re-asks far more often).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/entry_id.h"

namespace combfs::metad::locks {

// Largest end of a range: "to the end of the file", whatever its size
// (the kernel's OFFSET_MAX).
inline constexpr uint64_t kToEof = 0x7fffffffffffffffULL;

struct Owner {
  uint64_t client_id = 0;  // the mount (or library instance)
  uint64_t owner = 0;      // the kernel's lock owner within that client
  auto operator<=>(const Owner&) const = default;
};

enum class Kind { posix, flock };
enum class Type { unlock, read, write };

struct Lock {
  Owner owner;
  Type type = Type::read;
  uint64_t start = 0;
  uint64_t end = kToEof;  // inclusive
  uint32_t pid = 0;       // reported by F_GETLK
  bool operator==(const Lock&) const = default;
};

struct LockRequest {
  EntryId file;
  Kind kind = Kind::posix;
  Owner owner;
  Type type = Type::read;
  uint64_t start = 0;       // flock: ignored (whole file)
  uint64_t end = kToEof;    // REQUIRES: start <= end <= kToEof
  uint32_t pid = 0;
  bool wait = false;        // F_SETLKW / flock without LOCK_NB
};

enum class Outcome { granted, would_block, deadlock };

struct SetResult {
  Outcome outcome = Outcome::granted;
  std::optional<Lock> conflict;  // the lock in the way unless granted
};

class LockTable {
 public:
  explicit LockTable(int64_t waiter_ttl_ms = 1000) : waiter_ttl_ms_(waiter_ttl_ms) {}

  // Sets, converts or (Type::unlock) removes a lock. `now_ms` only ages waiters.
  SetResult set(const LockRequest& req, int64_t now_ms);

  // F_GETLK: the first (lowest start) lock of another owner that conflicts
  // with a `type` lock over [start, end]; nullopt when the request would be
  // granted. Type::unlock never conflicts.
  std::optional<Lock> test(const EntryId& file, Kind kind, const Owner& owner, Type type, uint64_t start,
                           uint64_t end) const;

  // The owner stopped waiting (interrupted): forget its waiter record.
  void cancel_wait(const Owner& owner);

  // Removes every lock and waiter of a client (it died or its lease ran out).
  // Returns the number of locks and waiters removed.
  size_t drop_client(uint64_t client_id);

  // The locks on a file, sorted by (owner, start); for F_GETLK and tests.
  std::vector<Lock> locks(const EntryId& file, Kind kind) const;
  // Number of locks over all files and kinds.
  size_t size() const;
  // Files with at least one lock (empty entries are removed).
  size_t files() const { return files_.size(); }
  bool waiting(const Owner& owner, int64_t now_ms) const;

 private:
  struct FileLocks {
    std::vector<Lock> posix;  // sorted by (owner, start); an owner's locks are disjoint
    std::vector<Lock> flock;  // at most one per owner
  };
  struct Waiter {
    EntryId file;
    Type type = Type::read;
    uint64_t start = 0;
    uint64_t end = 0;
    int64_t expires_ms = 0;
  };

  SetResult set_posix(FileLocks& locks, const LockRequest& req, int64_t now_ms);
  SetResult set_flock(FileLocks& locks, const LockRequest& req);
  bool would_deadlock(const LockRequest& req, const Lock& first_conflict, int64_t now_ms) const;
  void forget_file_if_empty(const EntryId& file);
  void note_client_file(uint64_t client_id, const EntryId& file);

  int64_t waiter_ttl_ms_;
  std::unordered_map<EntryId, FileLocks> files_;
  std::map<Owner, Waiter> waiters_;  // POSIX waiters only
  // Files on which a client may hold locks (a superset), so drop_client does
  // not scan every file.
  std::unordered_map<uint64_t, std::set<EntryId>> client_files_;
};

}  // namespace combfs::metad::locks
