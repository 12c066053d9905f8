#include "common/mgmt_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace combfs {

std::optional<rpc::Endpoint> ClusterMap::node_endpoint(uint32_t node_id) const {
  auto it = nodes.find(node_id);
  if (it == nodes.end()) return std::nullopt;
  return rpc::Endpoint{it->second.host(), static_cast<uint16_t>(it->second.port())};
}

std::optional<rpc::Endpoint> ClusterMap::target_endpoint(uint32_t target_id) const {
  auto it = targets.find(target_id);
  if (it == targets.end()) return std::nullopt;
  return node_endpoint(it->second.node_id());
}

Result<rpc::Endpoint> ClusterMap::node_endpoint_or_error(uint32_t node_id) const {
  auto ep = node_endpoint(node_id);
  if (!ep) return error(proto::MGMT_UNKNOWN_NODE, fmt::format("node {} is not in the cluster map (version {})", node_id, version));
  return *ep;
}

Result<rpc::Endpoint> ClusterMap::target_endpoint_or_error(uint32_t target_id) const {
  auto ep = target_endpoint(target_id);
  if (!ep)
    return error(proto::STORAGE_UNKNOWN_TARGET,
                 fmt::format("target {} is not in the cluster map (version {})", target_id, version));
  return *ep;
}

MgmtClient::MgmtClient(rpc::RpcClient& rpc, rpc::Endpoint mgmtd) : rpc_(rpc), mgmtd_(std::move(mgmtd)) {}

MgmtClient::~MgmtClient() { stop(); }

void MgmtClient::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<proto::RegisterNodeResponse> MgmtClient::register_node(const proto::RegisterNodeRequest& req,
                                                              std::chrono::milliseconds patience) {
  auto give_up = std::chrono::steady_clock::now() + patience;
  for (;;) {
    auto resp = rpc_.call(mgmtd_, req);
    if (resp || !resp.error().retryable() || std::chrono::steady_clock::now() >= give_up) {
      if (!resp)
        return error(resp.error().code(), fmt::format("cannot register with mgmtd at {}: {}", mgmtd_.to_string(),
                                                      resp.error().message()));
      return resp;
    }
    spdlog::info("waiting for mgmtd at {}: {}", mgmtd_.to_string(), resp.error().message());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

Result<std::shared_ptr<const ClusterMap>> MgmtClient::refresh(bool force) {
  std::shared_ptr<const ClusterMap> current;
  {
    std::lock_guard lock(mutex_);
    current = map_;
  }
  proto::GetMapsRequest req;
  req.set_known_version(current && !force ? current->version : 0);
  auto resp = rpc_.call(mgmtd_, req);
  if (!resp) {
    if (current) return current;  // keep serving the cached map while mgmtd is away
    return error(resp.error());
  }
  if (resp->unchanged() && current) return current;
  auto fresh = std::make_shared<ClusterMap>();
  fresh->version = resp->version();
  fresh->root_owner = resp->root_owner();
  for (auto& n : resp->nodes()) fresh->nodes[n.id()] = n;
  for (auto& t : resp->targets()) fresh->targets[t.id()] = t;
  for (auto& g : resp->mirror_groups()) fresh->mirror_groups[g.id()] = g;
  std::lock_guard lock(mutex_);
  if (!map_ || map_->version <= fresh->version) map_ = fresh;
  return map_;
}

Result<std::shared_ptr<const ClusterMap>> MgmtClient::map() {
  {
    std::lock_guard lock(mutex_);
    if (map_) return map_;
  }
  return refresh(true);
}

Result<proto::StatFsResponse> MgmtClient::statfs() { return rpc_.call(mgmtd_, proto::StatFsRequest()); }

void MgmtClient::start_heartbeat(std::function<proto::HeartbeatRequest()> make, std::chrono::milliseconds interval,
                                 std::function<void(const Status&)> on_error) {
  thread_ = std::thread([this, make = std::move(make), interval, on_error = std::move(on_error)] {
    loop(make, interval, on_error);
  });
}

void MgmtClient::start_refresh(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] { loop(nullptr, interval, nullptr); });
}

void MgmtClient::loop(std::function<proto::HeartbeatRequest()> make, std::chrono::milliseconds interval,
                      std::function<void(const Status&)> on_error) {
  std::unique_lock lock(mutex_);
  for (int round = 1; !stopping_; ++round) {
    lock.unlock();
    uint64_t known = 0;
    {
      std::lock_guard l(mutex_);
      known = map_ ? map_->version : 0;
    }
    if (make) {
      auto resp = rpc_.call(mgmtd_, make(), {}, nullptr, interval * 2);
      if (!resp) {
        spdlog::warn("heartbeat to mgmtd at {} failed: {}", mgmtd_.to_string(), resp.error().to_string());
        if (on_error) on_error(resp.error());
      } else if (resp->maps_version() != known || round % kForcedRefreshEvery == 0) {
        refresh(round % kForcedRefreshEvery == 0);
      }
    } else {
      refresh();
    }
    lock.lock();
    cv_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

}  // namespace combfs
