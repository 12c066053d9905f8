#include "client/lib/cluster.h"

#include <fmt/format.h>

namespace combfs::client {
namespace {

rpc::ClientOptions rpc_options(const ClusterOptions& o) {
  rpc::ClientOptions r;
  r.name = o.name;
  r.secret = o.secret;
  r.call_timeout = o.call_timeout;
  r.io_threads = o.io_threads;
  return r;
}

}  // namespace

Cluster::Cluster(ClusterOptions options)
    : options_(std::move(options)), rpc_(rpc_options(options_)), mgmt_(rpc_, options_.mgmtd) {}

Cluster::~Cluster() { mgmt_.stop(); }

Result<std::unique_ptr<Cluster>> Cluster::connect(ClusterOptions options) {
  std::unique_ptr<Cluster> c(new Cluster(std::move(options)));
  // First contact with a short deadline: a wrong address or secret must fail
  // now, with mgmtd's address in the message.
  const auto& ep = c->options_.mgmtd;
  auto probe = c->rpc_.call(ep, proto::GetMapsRequest(), {}, nullptr, c->options_.connect_timeout);
  if (!probe) {
    if (probe.error().code() == proto::RPC_AUTH_FAILED) {
      // The RPC layer says "<name> (<peer>) refused authentication: <why>".
      const std::string& m = probe.error().message();
      const std::string marker = "refused authentication: ";
      auto at = m.find(marker);
      return error(proto::RPC_AUTH_FAILED,
                   fmt::format("mgmtd {} refused authentication: {}", ep.to_string(),
                               at == std::string::npos ? m : m.substr(at + marker.size())));
    }
    return error(probe.error().code(),
                 fmt::format("cannot reach mgmtd at {}: {}", ep.to_string(), probe.error().message()));
  }
  COMBFS_TRY(c->mgmt_.refresh(true));
  c->mgmt_.start_refresh(c->options_.refresh_interval);
  return c;
}

std::shared_ptr<const ClusterMap> Cluster::map() {
  auto m = mgmt_.map();
  // connect() fetched a map, and MgmtClient keeps the last one while mgmtd is away.
  return m ? *m : std::make_shared<const ClusterMap>();
}

uint32_t Cluster::root_owner() { return map()->root_owner; }

Result<rpc::Endpoint> Cluster::meta_endpoint(uint32_t node_id) {
  auto m = map();
  uint32_t id = node_id ? node_id : m->root_owner;
  if (id == 0 || !m->nodes.contains(id)) {
    auto fresh = mgmt_.refresh(true);
    if (fresh) m = *fresh;
    id = node_id ? node_id : m->root_owner;
  }
  if (id == 0)
    return error(proto::MGMT_NO_META, fmt::format("mgmtd {} knows no metadata server yet; start combfs-metad",
                                                  options_.mgmtd.to_string()));
  return m->node_endpoint_or_error(id);
}

Result<rpc::Endpoint> Cluster::target_endpoint(uint32_t target_id) {
  auto m = map();
  if (auto ep = m->target_endpoint(target_id)) return *ep;
  auto fresh = mgmt_.refresh(true);
  if (fresh) m = *fresh;
  return m->target_endpoint_or_error(target_id);
}

Result<std::vector<buddy::Route>> Cluster::routes(const proto::Layout& layout) {
  if (auto r = buddy::routes_of(*map(), layout)) return r;
  auto fresh = mgmt_.refresh(true);
  return buddy::routes_of(fresh ? **fresh : *map(), layout);
}

}  // namespace combfs::client
