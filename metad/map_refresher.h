// Keeps metad's cached cluster map fresh for placement. The heartbeat only
// refetches the map when its version changes, but free space changes without
// a version bump; placement weighs targets by free space, so the map is
// refetched every `interval` as well.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/mgmt_client.h"

namespace combfs::metad {

class MapRefresher {
 public:
  MapRefresher(MgmtClient& mgmt, std::chrono::milliseconds interval) : mgmt_(mgmt), interval_(interval) {}
  ~MapRefresher() { stop(); }
  void start();
  // Waits at most for a refresh in flight (bounded by the RPC timeout).
  void stop();

 private:
  MgmtClient& mgmt_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace combfs::metad
