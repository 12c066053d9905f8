// Which inodes are known to have no "security.capability" attribute.
//
// Every write(2) through the page cache of a FUSE file makes the kernel ask
// for "security.capability" (file_remove_privs; FUSE clears SB_NOSEC, so the
// kernel cannot remember the answer itself): one metad round trip per write,
// a quarter of the time of a 1 MiB write on loopback. Files almost never have
// one, so a "none" answer is kept per inode for attr_timeout (as long as the
// kernel trusts other attributes) and dropped when this mount sets or removes
// the attribute.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace combfs::fuse {

inline constexpr const char* kCapabilityXattr = "security.capability";

class NoCapsCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit NoCapsCache(Clock::duration ttl) : ttl_(ttl) {}

  bool known_absent(uint64_t ino, Clock::time_point now = Clock::now()) const;
  void remember_absent(uint64_t ino, Clock::time_point now = Clock::now());
  void forget(uint64_t ino);

 private:
  static constexpr size_t kPruneAbove = 4096;  // expired entries go when the map grows past this
  const Clock::duration ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Clock::time_point> until_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::fuse
