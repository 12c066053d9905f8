#include "client/fuse/no_caps_cache.h"

namespace combfs::fuse {

bool NoCapsCache::known_absent(uint64_t ino, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = until_.find(ino);
  return it != until_.end() && now < it->second;
}

void NoCapsCache::remember_absent(uint64_t ino, Clock::time_point now) {
  if (ttl_ <= Clock::duration::zero()) return;
  std::lock_guard lock(mutex_);
  if (until_.size() > kPruneAbove) std::erase_if(until_, [now](const auto& e) { return e.second <= now; });
  until_[ino] = now + ttl_;
}

void NoCapsCache::forget(uint64_t ino) {
  std::lock_guard lock(mutex_);
  until_.erase(ino);
}

}  // namespace combfs::fuse
