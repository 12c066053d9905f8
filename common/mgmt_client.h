// Talks to combfs-mgmtd for daemons, clients and fsctl: registration,
// heartbeats and the cached, versioned cluster map. Callers read map() on every
// request; it is refreshed in the background and on demand, never per I/O.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/rpc/client.h"

namespace combfs {

inline constexpr uint16_t kDefaultMgmtdPort = 8008;
inline constexpr uint16_t kDefaultMetadPort = 8005;
inline constexpr uint16_t kDefaultStoredPort = 8003;

struct ClusterMap {
  uint64_t version = 0;
  std::map<uint32_t, proto::NodeInfo> nodes;
  std::map<uint32_t, proto::TargetInfo> targets;
  std::map<uint32_t, proto::MirrorGroupInfo> mirror_groups;
  uint32_t root_owner = 0;

  std::optional<rpc::Endpoint> node_endpoint(uint32_t node_id) const;
  std::optional<rpc::Endpoint> target_endpoint(uint32_t target_id) const;
  // Endpoint of a target's node, or an UNAVAILABLE/STORAGE_UNKNOWN_TARGET error.
  Result<rpc::Endpoint> target_endpoint_or_error(uint32_t target_id) const;
  Result<rpc::Endpoint> node_endpoint_or_error(uint32_t node_id) const;
};

class MgmtClient {
 public:
  MgmtClient(rpc::RpcClient& rpc, rpc::Endpoint mgmtd);
  ~MgmtClient();

  const rpc::Endpoint& endpoint() const { return mgmtd_; }

  // Registers this node, retrying until mgmtd answers or `patience` runs out.
  Result<proto::RegisterNodeResponse> register_node(const proto::RegisterNodeRequest& req,
                                                    std::chrono::milliseconds patience);

  // Fetches the map when its version changed (or always when force); returns the current one.
  Result<std::shared_ptr<const ClusterMap>> refresh(bool force = false);
  // The cached map; fetches it on first use.
  Result<std::shared_ptr<const ClusterMap>> map();

  Result<proto::StatFsResponse> statfs();

  // Sends make() as a heartbeat every `interval` from a background thread and
  // refreshes the map when mgmtd reports a newer version (and every
  // kForcedRefreshEvery rounds, since free space changes without a new version).
  // on_error (optional) sees every failed heartbeat, e.g. to re-register after
  // MGMT_UNKNOWN_NODE.
  void start_heartbeat(std::function<proto::HeartbeatRequest()> make, std::chrono::milliseconds interval,
                       std::function<void(const Status&)> on_error = nullptr);
  static constexpr int kForcedRefreshEvery = 10;
  // Refreshes the map every `interval` from a background thread (clients).
  void start_refresh(std::chrono::milliseconds interval);
  void stop();

 private:
  void loop(std::function<proto::HeartbeatRequest()> make, std::chrono::milliseconds interval,
            std::function<void(const Status&)> on_error);

  rpc::RpcClient& rpc_;
  rpc::Endpoint mgmtd_;
  std::mutex mutex_;
  std::shared_ptr<const ClusterMap> map_;  // GUARDED_BY(mutex_)
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace combfs
