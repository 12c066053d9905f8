// The client's view of a cluster: one RpcClient (connection pools to every
// daemon), one MgmtClient that keeps the cluster map fresh in the background,
// and the routing rules "which endpoint serves this entry / this target".
//
// Thread-safe: FUSE worker threads share one Cluster.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "buddy/route.h"
#include "common/mgmt_client.h"
#include "common/rpc/client.h"

namespace combfs::client {

struct ClusterOptions {
  std::string name = "client";  // shown in the daemons' log lines
  rpc::Endpoint mgmtd;
  rpc::Secret secret;
  std::chrono::milliseconds refresh_interval{2000};
  std::chrono::milliseconds call_timeout{30000};
  // Bound on the first contact with mgmtd, so a mount against a dead address
  // fails quickly instead of retrying for a whole call timeout.
  std::chrono::milliseconds connect_timeout{10000};
  int io_threads = 4;
};

class Cluster {
 public:
  // Contacts mgmtd (GetMaps) and returns a Cluster whose map refreshes every
  // refresh_interval. Errors: the mgmtd is unreachable, refuses the secret, or
  // has no map; the message names mgmtd's address.
  static Result<std::unique_ptr<Cluster>> connect(ClusterOptions options);
  ~Cluster();

  rpc::RpcClient& rpc() { return rpc_; }
  MgmtClient& mgmt() { return mgmt_; }
  const ClusterOptions& options() const { return options_; }
  const rpc::FrameLimits& limits() const { return rpc_.options().limits; }

  // The cached map (never empty after connect()).
  std::shared_ptr<const ClusterMap> map();
  // The metad that owns "/" according to the current map.
  uint32_t root_owner();

  // Endpoint of metad `node_id`; 0 means the root owner. A node missing from
  // the cached map triggers one forced refresh (it may have just registered).
  Result<rpc::Endpoint> meta_endpoint(uint32_t node_id);
  // Endpoint of the stored that holds `target_id` (same refresh rule).
  Result<rpc::Endpoint> target_endpoint(uint32_t target_id);
  // Where the requests for each entry of `layout` go (buddy/route.h): its
  // targets, or its mirror groups' primaries (same refresh rule).
  Result<std::vector<buddy::Route>> routes(const proto::Layout& layout);

 private:
  explicit Cluster(ClusterOptions options);

  ClusterOptions options_;
  rpc::RpcClient rpc_;
  MgmtClient mgmt_;
};

}  // namespace combfs::client
