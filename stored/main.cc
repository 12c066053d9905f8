// combfs-stored: serves chunk files from one or more targets. See
// docs/architecture.md for the options every daemon shares.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "common/daemon.h"
#include "common/daemon_args.h"
#include "common/log.h"
#include "common/mgmt_client.h"
#include "common/rpc/auth.h"
#include "common/rpc/server.h"
#include "stored/mgmt_session.h"
#include "stored/service.h"

using namespace combfs;

int main(int argc, char** argv) {
  CLI::App app{"combfs-stored: storage daemon (chunk files on local targets)"};
  app.set_config("--config", "", "read options from this file (keys named like the long options)");
  std::string mgmtd, secret_file, bind = "0.0.0.0", host = "127.0.0.1", data_dir, port_file, log_level = "info", log_file;
  std::vector<std::string> targets;
  int port = kDefaultStoredPort;
  int threads = 8;
  double heartbeat_interval = 1;
  app.add_option("--mgmtd", mgmtd, "where combfs-mgmtd runs: HOST[:PORT]")->required();
  app.add_option("--secret-file", secret_file, "the cluster's shared secret (mode 0600)")->required();
  app.add_option("--bind", bind, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on (0 = any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--host", host, "address other nodes use to reach this daemon")->capture_default_str();
  app.add_option("--data-dir", data_dir, "state directory (holds node.uuid)")->required();
  app.add_option("--target", targets, "target directory holding chunk files (repeat for several)")->required();
  app.add_option("--port-file", port_file, "write the listening port here once registered with mgmtd");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-file", log_file, "log to this file instead of stderr");
  app.add_option("--threads", threads, "I/O threads (they also do the blocking disk I/O)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--heartbeat-interval", heartbeat_interval, "seconds between heartbeats to mgmtd")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  if (auto exit_code = parse_daemon_args(app, argc, argv)) return *exit_code;

  init_logging("stored", log_level, log_file);
  auto secret = rpc::load_secret(secret_file);
  if (!secret) {
    spdlog::error("{}", secret.error().message());
    return 1;
  }
  auto mgmtd_ep = rpc::Endpoint::parse(mgmtd, kDefaultMgmtdPort);
  if (!mgmtd_ep) {
    spdlog::error("--mgmtd: {}", mgmtd_ep.error().message());
    return 1;
  }
  auto node_uuid = load_or_create_uuid(data_dir, "node.uuid");
  if (!node_uuid) {
    spdlog::error("{}", node_uuid.error().message());
    return 1;
  }
  stored::StoredOptions options;
  options.target_dirs = targets;
  // Forwards to mirror secondaries block an io thread each: leave at least
  // half of them free to serve the requests other primaries forward here.
  options.forward_slots = std::max(1, threads / 2);
  auto service = stored::StoredService::open(options);
  if (!service) {
    spdlog::error("{}", service.error().message());
    return 1;
  }

  IoPool pool(threads);
  rpc::Dispatcher dispatcher;
  (*service)->register_ops(dispatcher);
  rpc::ServerOptions server_options;
  server_options.name = "stored";
  server_options.bind_host = bind;
  server_options.port = static_cast<uint16_t>(port);
  server_options.secret = *secret;
  rpc::RpcServer server(pool.io(), server_options, dispatcher);
  auto bound = server.listen();
  if (!bound) {
    spdlog::error("{}", bound.error().message());
    return 1;
  }
  spdlog::info("stored listening on {}:{} (advertised as {}:{})", bind, *bound, host, *bound);

  rpc::ClientOptions client_options;
  client_options.name = "stored";
  client_options.secret = *secret;
  client_options.io_threads = 1;
  rpc::RpcClient rpc(client_options);
  stored::SessionOptions session_options;
  session_options.node_uuid = *node_uuid;
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  session_options.alias = fmt::format("{}:{}", hostname, *bound);
  session_options.host = host;
  session_options.port = *bound;
  session_options.heartbeat_interval = std::chrono::milliseconds(std::llround(heartbeat_interval * 1000));
  stored::MgmtSession session(rpc, *mgmtd_ep, (*service)->state(), session_options);
  // The map tells a mirror group's primary where its secondary is and each
  // target its role; refreshed like the heartbeat, and at once when a
  // request disagrees with it (stored/ops/mirrored.h).
  MgmtClient maps(rpc, *mgmtd_ep);
  (*service)->state().mirror.connect([&maps](bool fresh) { return fresh ? maps.refresh(true) : maps.map(); }, &rpc);

  // Registration may wait up to a minute for mgmtd; do it beside the io pool,
  // so requests are served (answered UNAVAILABLE until registered) and a
  // signal ends the wait.
  int exit_code = 0;
  std::atomic<bool> shutting_down{false};
  std::thread startup([&] {
    auto registered = session.register_node();
    if (!registered) {
      if (shutting_down) return;  // a signal cancelled the wait: a clean exit
      spdlog::error("{}", registered.error().message());
      exit_code = 1;
      pool.stop();
      return;
    }
    session.start_heartbeat();
    maps.start_refresh(session_options.heartbeat_interval);
    if (!port_file.empty()) {
      if (auto written = write_file_atomic(port_file, std::to_string(*bound) + "\n"); !written) {
        spdlog::error("{}", written.error().message());
        exit_code = 1;
        pool.stop();
      }
    }
  });
  pool.run_until_signal();
  shutting_down = true;
  session.stop();
  startup.join();
  maps.stop();
  server.stop();
  spdlog::info("stored stopped");
  return exit_code;
}
