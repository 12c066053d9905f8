#include "client/lib/lease.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace combfs::client {

LeaseKeeper::LeaseKeeper(Cluster& cluster, uint64_t client_id) : cluster_(cluster), client_id_(client_id) {}

LeaseKeeper::~LeaseKeeper() { thread_.stop(); }

void LeaseKeeper::hold() {
  {
    std::lock_guard guard(mutex_);
    ++held_;
  }
  // The first keepalive goes out at once: it tells the lease, which may be
  // shorter than the pace assumed until then.
  thread_.start([this] {
    keepalive_once();
    std::lock_guard guard(mutex_);
    return interval_;
  });
}

void LeaseKeeper::release() {
  std::lock_guard guard(mutex_);
  if (held_ > 0) --held_;
}

size_t LeaseKeeper::held() const {
  std::lock_guard guard(mutex_);
  return held_;
}

void LeaseKeeper::set_observer(Observer observer) {
  std::lock_guard guard(observer_mutex_);
  observer_ = std::move(observer);
}

void LeaseKeeper::keepalive_once() {
  std::chrono::milliseconds timeout;
  {
    std::lock_guard guard(mutex_);
    if (held_ == 0) return;  // nothing to lose: let the leases run out
    // Sent in parallel, so a metad that is down delays no other; its answer
    // may take up to two renewal periods.
    timeout = interval_ * 2;
  }
  auto map = cluster_.map();
  std::vector<uint32_t> nodes;
  std::vector<rpc::RpcClient::BatchCall> calls;
  proto::LockKeepaliveRequest req;
  req.set_client_id(client_id_);
  for (const auto& [id, node] : map->nodes) {
    if (node.type() != proto::NODE_META) continue;
    auto ep = map->node_endpoint(id);
    if (!ep) continue;
    nodes.push_back(id);
    calls.push_back(rpc::RpcClient::batch_call(*ep, req));
  }
  cluster_.rpc().run_batch(calls, timeout);
  auto shortest = std::chrono::milliseconds::max();
  for (size_t i = 0; i < calls.size(); ++i) {
    const uint32_t node = nodes[i];
    auto resp = rpc::RpcClient::batch_result<proto::LockKeepaliveRequest>(calls[i]);
    {
      std::lock_guard guard(mutex_);
      bool& failing = failing_[node];
      if (!resp) {
        // Once per outage, not every round.
        if (!failing)
          spdlog::warn("keepalive to metad {}: {} (if this lasts longer than its lease, it drops this client's locks "
                       "and open files there)",
                       node, resp.error().to_string());
        failing = true;
        continue;
      }
      if (failing) spdlog::info("keepalive to metad {} works again", node);
      failing = false;
      // The shortest lease of any metad paces the renewals.
      auto quarter = std::chrono::milliseconds(resp->lease_ms() / 4);
      shortest = std::min(shortest, std::clamp(quarter, std::chrono::milliseconds(250), std::chrono::milliseconds(5000)));
    }
    if (resp->expired())
      spdlog::error("metad {} heard nothing from this client for longer than its lease ({} ms) and took it for "
                    "dead: it dropped the file locks held there and counts the files open there as closed (their "
                    "handles still work; an unlinked one may be gone)",
                    node, resp->lease_ms());
    std::lock_guard guard(observer_mutex_);
    if (observer_) observer_(node, *resp);
  }
  std::lock_guard guard(mutex_);
  if (shortest != std::chrono::milliseconds::max()) interval_ = shortest;
}

}  // namespace combfs::client
