// combfs-mgmtd as a library: the registry, its request handlers and the
// reachability timer. main.cc adds options, the RPC server and signals; tests
// run the same service in-process.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/rpc/asio.h"
#include "common/rpc/dispatcher.h"
#include "mgmtd/store/clock.h"
#include "mgmtd/store/registry.h"

namespace combfs::mgmtd {

struct MgmtdOptions {
  std::string data_dir;  // holds mgmtd.db; created when missing
  ReachabilityPolicy reachability;
  std::chrono::milliseconds tick_interval{1000};  // how often reachability is re-evaluated
};

class MgmtdService {
 public:
  // Opens <data_dir>/mgmtd.db. `io` runs the reachability timer; `clock`
  // (default: the system clock) must outlive the service.
  static Result<std::unique_ptr<MgmtdService>> open(asio::io_context& io, const MgmtdOptions& options,
                                                    Clock* clock = nullptr);

  // Registers every mgmtd request handler. The service must outlive `dispatcher`'s use.
  void register_ops(rpc::Dispatcher& dispatcher);

  // Starts / stops the periodic reachability check on the io_context.
  // REQUIRES: the io_context has stopped running before the service is destroyed.
  void start();
  void stop();

  Registry& registry() { return *registry_; }

 private:
  MgmtdService(asio::io_context& io, MgmtdOptions options, std::unique_ptr<Registry> registry);
  asio::awaitable<void> tick_loop();

  asio::io_context& io_;
  const MgmtdOptions options_;
  std::unique_ptr<Registry> registry_;
  asio::steady_timer timer_;
  std::atomic<bool> stopped_{false};
};

}  // namespace combfs::mgmtd
