#include "metad/locks/leases.h"

namespace combfs::metad::locks {

std::vector<uint64_t> Leases::take_expired(int64_t now_ms) {
  std::vector<uint64_t> expired;
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    if (now_ms - it->second > lease_ms_) {
      expired.push_back(it->first);
      it = last_seen_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

void Leases::mark_lost(uint64_t client_id) {
  // A client that never comes back would stay here forever; past the bound
  // the flag is simply not kept (the client then only misses a log line).
  if (lost_.size() < kMaxExpired) lost_.insert(client_id);
}

}  // namespace combfs::metad::locks
