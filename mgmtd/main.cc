// combfs-mgmtd: the cluster's registry of nodes and targets. See
// docs/architecture.md for the options every daemon shares.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cmath>

#include "common/daemon.h"
#include "common/daemon_args.h"
#include "common/log.h"
#include "common/mgmt_client.h"
#include "common/rpc/auth.h"
#include "common/rpc/server.h"
#include "mgmtd/service.h"

using namespace combfs;

int main(int argc, char** argv) {
  CLI::App app{"combfs-mgmtd: management daemon (registry of nodes and targets, health, maps)"};
  app.set_config("--config", "", "read options from this file (keys named like the long options)");
  std::string secret_file, bind = "0.0.0.0", data_dir, port_file, log_level = "info", log_file;
  int port = kDefaultMgmtdPort;
  int threads = 4;
  double probably_offline_after = 10, offline_after = 30;
  app.add_option("--secret-file", secret_file, "the cluster's shared secret (mode 0600)")->required();
  app.add_option("--bind", bind, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on (0 = any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--data-dir", data_dir, "state directory (holds mgmtd.db)")->required();
  app.add_option("--port-file", port_file, "write the listening port here once listening");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-file", log_file, "log to this file instead of stderr");
  app.add_option("--threads", threads, "I/O threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--probably-offline-after", probably_offline_after,
                 "seconds without heartbeat until a node is probably offline")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--offline-after", offline_after, "seconds without heartbeat until a node is offline")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  if (auto exit_code = parse_daemon_args(app, argc, argv)) return *exit_code;

  init_logging("mgmtd", log_level, log_file);
  if (offline_after < probably_offline_after) {
    spdlog::error("--offline-after ({} s) must not be shorter than --probably-offline-after ({} s)", offline_after,
                  probably_offline_after);
    return 1;
  }
  auto secret = rpc::load_secret(secret_file);
  if (!secret) {
    spdlog::error("{}", secret.error().message());
    return 1;
  }

  IoPool pool(threads);
  mgmtd::MgmtdOptions options;
  options.data_dir = data_dir;
  options.reachability.probably_offline_after_ms = std::llround(probably_offline_after * 1000);
  options.reachability.offline_after_ms = std::llround(offline_after * 1000);
  auto service = mgmtd::MgmtdService::open(pool.io(), options);
  if (!service) {
    spdlog::error("{}", service.error().message());
    return 1;
  }
  rpc::Dispatcher dispatcher;
  (*service)->register_ops(dispatcher);

  rpc::ServerOptions server_options;
  server_options.name = "mgmtd";
  server_options.bind_host = bind;
  server_options.port = static_cast<uint16_t>(port);
  server_options.secret = *secret;
  rpc::RpcServer server(pool.io(), server_options, dispatcher);
  auto bound = server.listen();
  if (!bound) {
    spdlog::error("{}", bound.error().message());
    return 1;
  }
  (*service)->start();
  if (!port_file.empty()) {
    if (auto written = write_file_atomic(port_file, std::to_string(*bound) + "\n"); !written) {
      spdlog::error("{}", written.error().message());
      return 1;
    }
  }
  spdlog::info("mgmtd listening on {}:{} (data dir '{}', maps version {})", bind, *bound, data_dir,
               (*service)->registry().version());
  pool.run_until_signal();
  (*service)->stop();
  server.stop();
  spdlog::info("mgmtd stopped");
  return 0;
}
