#include "mgmtd/service.h"

#include <spdlog/spdlog.h>

#include "common/daemon.h"
#include "mgmtd/ops/ops.h"

namespace combfs::mgmtd {

namespace {
SystemClock system_clock;
}

Result<std::unique_ptr<MgmtdService>> MgmtdService::open(asio::io_context& io, const MgmtdOptions& options,
                                                         Clock* clock) {
  if (options.data_dir.empty())
    return error(proto::INVALID_ARGUMENT, "mgmtd needs a data directory (--data-dir) for mgmtd.db");
  COMBFS_CHECK(make_dirs(options.data_dir));
  auto registry =
      COMBFS_TRY(Registry::open(options.data_dir + "/mgmtd.db", options.reachability, clock ? *clock : system_clock));
  return std::unique_ptr<MgmtdService>(new MgmtdService(io, options, std::move(registry)));
}

MgmtdService::MgmtdService(asio::io_context& io, MgmtdOptions options, std::unique_ptr<Registry> registry)
    : io_(io), options_(std::move(options)), registry_(std::move(registry)), timer_(io) {}

void MgmtdService::register_ops(rpc::Dispatcher& dispatcher) {
  add_register_node(dispatcher, *registry_);
  add_heartbeat(dispatcher, *registry_);
  add_get_maps(dispatcher, *registry_);
  add_stat_fs(dispatcher, *registry_);
  add_add_mirror_group(dispatcher, *registry_);
  add_ping(dispatcher);
}

void MgmtdService::start() {
  stopped_ = false;
  asio::co_spawn(io_, tick_loop(), asio::detached);
}

void MgmtdService::stop() {
  stopped_ = true;
  // Timers are not thread-safe: cancel on the io_context's own threads.
  asio::post(io_, [this] { timer_.cancel(); });
}

asio::awaitable<void> MgmtdService::tick_loop() {
  while (!stopped_) {
    timer_.expires_after(options_.tick_interval);
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped_) co_return;
    auto changed = registry_->tick();
    if (!changed) spdlog::error("reachability check failed: {}", changed.error().to_string());
  }
}

}  // namespace combfs::mgmtd
