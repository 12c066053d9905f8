#include "metad/map_refresher.h"

#include <spdlog/spdlog.h>

namespace combfs::metad {

void MapRefresher::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      // On failure MgmtClient keeps serving the cached map; nothing else to do.
      auto map = mgmt_.refresh(true);
      if (!map) spdlog::debug("cluster map refresh failed: {}", map.error().to_string());
      lock.lock();
    }
  });
}

void MapRefresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace combfs::metad
