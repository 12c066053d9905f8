// combfs-metad: the metadata server. Startup order matters for tests and
// operators: listen, register with mgmtd, open the store under the node id
// mgmtd gave us, create the root if we own it, start heartbeats and the chunk
// removal worker, and only then write the port file (= "ready").
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <mutex>
#include <random>

#include "common/daemon.h"
#include "common/daemon_args.h"
#include "common/log.h"
#include "common/mgmt_client.h"
#include "common/periodic.h"
#include "common/rpc/server.h"
#include "metad/removal_queue_worker.h"
#include "metad/balancer.h"
#include "metad/service.h"
#include "metad/size_probe.h"

namespace {

using namespace combfs;
using namespace std::chrono_literals;

struct Options {
  std::string mgmtd;
  std::string secret_file;
  std::string bind = "0.0.0.0";
  int port = kDefaultMetadPort;
  std::string host = "127.0.0.1";
  std::string data_dir;
  std::string port_file;
  std::string log_level = "info";
  std::string log_file;
  int threads = 4;
  double heartbeat_interval = 1.0;
  std::string dir_placement = "balanced";
  std::string crash_at;  // tests: die (SIGKILL) at this crash point of a cross-owner operation
  double lock_lease = 10.0;
  double balance_threshold = 0;  // 0: the balancer is off
  double balance_interval = 30.0;
  std::string commit_sync = "group";
};

constexpr auto kRegisterPatience = 60s;

Result<std::shared_ptr<const ClusterMap>> wait_for_root_owner(MgmtClient& mgmt) {
  auto give_up = std::chrono::steady_clock::now() + kRegisterPatience;
  for (;;) {
    auto map = mgmt.refresh(true);
    if (map && (*map)->root_owner != 0) return map;
    if (std::chrono::steady_clock::now() >= give_up) {
      if (!map) return map;
      return error(proto::MGMT_NO_META, fmt::format("mgmtd at {} has not chosen the owner of the root directory after "
                                                    "{} s; check mgmtd's log",
                                                    mgmt.endpoint().to_string(), kRegisterPatience.count()));
    }
    std::this_thread::sleep_for(500ms);
  }
}

Result<void> run(const Options& o) {
  auto secret = COMBFS_TRY(rpc::load_secret(o.secret_file));
  auto uuid = COMBFS_TRY(load_or_create_uuid(o.data_dir, "node.uuid"));
  auto mgmt_ep = COMBFS_TRY(rpc::Endpoint::parse(o.mgmtd, kDefaultMgmtdPort));
  if (o.port < 0 || o.port > 65535) return error(proto::INVALID_ARGUMENT, fmt::format("--port {} is not 0-65535", o.port));

  // The io threads run only at the end, so requests that arrive during startup
  // wait in the listen backlog until everything below is ready.
  IoPool pool(o.threads);
  rpc::Dispatcher dispatcher;
  rpc::ServerOptions server_options;
  server_options.name = "metad";
  server_options.bind_host = o.bind;
  server_options.port = static_cast<uint16_t>(o.port);
  server_options.secret = secret;
  rpc::RpcServer server(pool.io(), server_options, dispatcher);
  uint16_t port = COMBFS_TRY(server.listen());
  spdlog::info("listening on {}:{}", o.bind, port);

  rpc::ClientOptions client_options;
  client_options.name = "metad";
  client_options.secret = secret;
  // Bounds how long shutdown can wait for a call to an unreachable mgmtd.
  client_options.call_timeout = 5s;
  rpc::RpcClient rpc(client_options);
  MgmtClient mgmt(rpc, mgmt_ep);

  proto::RegisterNodeRequest reg;
  reg.set_uuid(uuid);
  reg.set_type(proto::NODE_META);
  reg.set_alias(fmt::format("metad@{}:{}", o.host, port));
  reg.set_host(o.host);
  reg.set_port(port);
  auto registered = COMBFS_TRY(mgmt.register_node(reg, kRegisterPatience));
  const uint32_t node_id = registered.node_id();
  spdlog::info("registered with mgmtd at {} as node {}", mgmt_ep.to_string(), node_id);

  auto store = COMBFS_TRY(metad::MetaStore::open({.path = o.data_dir + "/meta.db",
                                                  .node_id = node_id,
                                                  .clock = {},
                                                  .commit_sync = *metad::parse_commit_sync(o.commit_sync)}));
  if (o.commit_sync == "off")
    spdlog::warn("--commit-sync off: changes are answered before they are on disk; a power loss loses the last ones");
  auto map = COMBFS_TRY(wait_for_root_owner(mgmt));
  if ((*map).root_owner == node_id) {
    COMBFS_CHECK(store->ensure_root());
    spdlog::info("this metad owns the root directory");
  } else {
    spdlog::info("the root directory is owned by metad node {}", map->root_owner);
  }

  metad::ClusterMapSource source = [&mgmt] { return mgmt.map(); };
  // At most one forced refresh per second: a cluster that simply has fewer
  // targets than a pattern asks for must not cost a mgmtd round trip per
  // create. Callers that come while one runs wait for it and share its map
  // (right after startup, many creates find a map without targets at once).
  std::mutex refresh_mutex;
  int64_t last_forced_ms = 0;  // GUARDED_BY(refresh_mutex)
  metad::ClusterMapSource fresh = [&mgmt, &refresh_mutex, &last_forced_ms] {
    std::lock_guard lock(refresh_mutex);
    const int64_t now = now_ms();
    if (now - last_forced_ms < 1000) return mgmt.map();
    last_forced_ms = now;
    return mgmt.refresh(true);
  };
  metad::CrossOptions cross;
  cross.rpc = &rpc;
  cross.dir_policy = *metad::parse_dir_policy(o.dir_placement);
  // At least one request thread always serves other metads (see CrossOptions).
  cross.max_waiting = std::max(1, o.threads - 1);
  if (!o.crash_at.empty()) {
    cross.crash_point = [point = o.crash_at](std::string_view at) {
      if (at != point) return false;
      spdlog::critical("test crash point '{}' reached: killing this metad", at);
      spdlog::default_logger()->flush();
      std::raise(SIGKILL);
      return true;
    };
  }
  metad::MetaService service(*store, source, std::random_device()(), fresh, std::move(cross));
  service.set_mgmtd_cluster_map([&mgmt] { return mgmt.refresh(false); });
  service.locks().set_lease(std::chrono::milliseconds(static_cast<int64_t>(o.lock_lease * 1000)));
  service.register_handlers(dispatcher);

  const auto interval = std::chrono::milliseconds(static_cast<int64_t>(o.heartbeat_interval * 1000));
  mgmt.start_heartbeat(
      [&store, node_id] {
        proto::HeartbeatRequest hb;
        hb.set_node_id(node_id);
        hb.set_entries(store->entry_count());
        return hb;
      },
      interval);
  metad::RemovalQueueWorker worker(*store, rpc, source);
  store->set_removal_listener([&worker] { worker.wake(); });
  worker.start();
  // Expires the leases of silent clients (their locks and open files) and
  // gives a first lease to clients whose open records outlived a restart.
  service.sessions().set_size_probe([&rpc, &source](EntryId id, const proto::Layout& layout) {
    return metad::measure_size(rpc, source, id, layout, std::chrono::seconds(5));
  });
  Periodic sessions_sweep;
  sessions_sweep.start([&service] {
    service.sessions().sweep();
    return service.sessions().sweep_interval();
  });
  // Finishes cross-owner operations a crash interrupted (and those waiting for a metad that was down).
  service.cross().journal().start(std::chrono::seconds(2));
  metad::Balancer balancer(service.cross(),
                           {.threshold = o.balance_threshold,
                            .interval = std::chrono::milliseconds(static_cast<int64_t>(o.balance_interval * 1000)),
                            .min_entries = 100});
  balancer.start();

  if (!o.port_file.empty()) COMBFS_CHECK(write_file_atomic(o.port_file, std::to_string(port) + "\n"));
  spdlog::info("combfs-metad ready: node {}, port {}, {} entries, directory placement {}", node_id, port,
               store->entry_count(), o.dir_placement);

  pool.run_until_signal();

  balancer.stop();
  server.stop();
  sessions_sweep.stop();
  service.cross().journal().stop();
  store->set_removal_listener(nullptr);
  worker.stop();
  mgmt.stop();
  spdlog::info("combfs-metad stopped");
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"combfs-metad: the combfs metadata server (namespace in SQLite)"};
  app.set_config("--config", "", "read options from FILE (TOML: key = value, keys named like the long options)");
  app.add_option("--mgmtd", o.mgmtd, "where mgmtd runs: HOST[:PORT] (default port 8008)")->required();
  app.add_option("--secret-file", o.secret_file, "the cluster's shared secret (mode 0600)")->required();
  app.add_option("--bind", o.bind, "address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "port to listen on (0: any free port)")->capture_default_str();
  app.add_option("--host", o.host, "address other nodes use to reach this metad")->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "state directory (meta.db, node.uuid)")->required();
  app.add_option("--port-file", o.port_file, "write the port here once fully ready");
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-file", o.log_file, "log to FILE instead of stderr");
  app.add_option("--threads", o.threads, "request handler threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--heartbeat-interval", o.heartbeat_interval, "seconds between heartbeats to mgmtd")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 3600.0));
  app.add_option("--lock-lease", o.lock_lease,
                 "seconds a client may stay silent (no request, no keepalive) before it is taken for dead: its "
                 "fcntl/flock locks are dropped and its open files closed")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--dir-placement", o.dir_placement,
                 "which metad a new directory goes to: balanced (fewest entries), parent (the parent's metad), "
                 "random")
      ->capture_default_str()
      ->check(CLI::IsMember({"balanced", "parent", "random"}));
  app.add_option("--balance-threshold", o.balance_threshold,
                 "move a directory to the least-loaded metad when this one holds more than (1 + T) times its "
                 "entries; 0 switches the balancer off")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--balance-interval", o.balance_interval, "seconds between two checks of the balancer")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--commit-sync", o.commit_sync,
                 "when an answered change is on disk: group (one WAL fsync for the requests that arrived "
                 "meanwhile), each (one fsync per change), off (at the next checkpoint: a power loss loses the "
                 "last changes)")
      ->capture_default_str()
      ->check(CLI::IsMember({"group", "each", "off"}));
  app.add_option("--crash-at", o.crash_at, "tests only: kill this metad at the named point of a cross-owner operation")
      ->group("");
  if (auto exit_code = parse_daemon_args(app, argc, argv)) return *exit_code;

  combfs::init_logging("metad", o.log_level, o.log_file);
  auto result = run(o);
  if (!result) {
    spdlog::critical("combfs-metad cannot run: {}", result.error().to_string());
    return 1;
  }
  return 0;
}
