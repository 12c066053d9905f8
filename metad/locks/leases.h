// Client leases: a client keeps what it holds on this metad (its locks, and
// its open records: metad/sessions.h) only while it renews (every request
// that carries its client id, and LockKeepalive). A client silent for longer
// than the lease is considered dead and loses all of it, so a crashed mount
// or a partitioned node cannot block the others or keep data forever.
// Pure logic: the caller passes the time and serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace combfs::metad::locks {

class Leases {
 public:
  explicit Leases(int64_t lease_ms) : lease_ms_(lease_ms) {}

  int64_t lease_ms() const { return lease_ms_; }
  void set_lease_ms(int64_t lease_ms) { lease_ms_ = lease_ms; }

  void renew(uint64_t client_id, int64_t now_ms) { last_seen_[client_id] = now_ms; }
  // Starts a full lease for a client that holds something here but has no
  // lease (found after a restart, or arrived with a migrated directory); a
  // running lease is left as it is.
  void adopt(uint64_t client_id, int64_t now_ms) { last_seen_.try_emplace(client_id, now_ms); }

  // Clients last seen more than lease_ms before now_ms; they are forgotten
  // (a later request starts a new lease).
  std::vector<uint64_t> take_expired(int64_t now_ms);

  // Remembers that a client lost locks or open records to expiry, to tell it on its next
  // keepalive. Bounded: beyond kMaxExpired clients no more flags are kept.
  void mark_lost(uint64_t client_id);
  // True once after mark_lost(client_id).
  bool take_lost(uint64_t client_id) { return lost_.erase(client_id) > 0; }

  size_t clients() const { return last_seen_.size(); }

  static constexpr size_t kMaxExpired = 4096;

 private:
  int64_t lease_ms_;
  std::unordered_map<uint64_t, int64_t> last_seen_;
  std::unordered_set<uint64_t> lost_;
};

}  // namespace combfs::metad::locks
