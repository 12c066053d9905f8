// stored's relationship with mgmtd: registration (node uuid + targets with
// uuid, path, capacity), the target id mapping that comes back, and a
// heartbeat carrying statvfs capacities. When mgmtd answers a heartbeat with
// MGMT_UNKNOWN_NODE / MGMT_UNKNOWN_TARGET (its registry was reset) the node
// registers again and installs the ids it gets.
//
// The heartbeat loop is stored's own rather than MgmtClient::start_heartbeat,
// because that loop does not expose heartbeat errors, and re-registration
// must react to them. Both waits (registration retries and the heartbeat
// interval) end at once on stop(), so a SIGTERM during startup exits promptly.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/rpc/client.h"
#include "stored/state.h"

namespace combfs::stored {

struct SessionOptions {
  std::string node_uuid;                // from <data-dir>/node.uuid
  std::string alias;                    // shown by fsctl listnodes
  std::string host;                     // address others use to reach this node
  uint16_t port = 0;                    // port this node listens on
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds patience{60000};  // how long registration retries while mgmtd is unreachable
  std::chrono::milliseconds call_timeout{5000};
};

class MgmtSession {
 public:
  MgmtSession(rpc::RpcClient& rpc, rpc::Endpoint mgmtd, StoredState& state, SessionOptions options);
  ~MgmtSession();  // stop()

  // Registers, retrying retryable failures until `patience` runs out or
  // stop(); on success installs node id and target ids into the state.
  Result<void> register_node();

  // Starts the heartbeat thread (once; not after stop()).
  // REQUIRES: register_node() succeeded.
  void start_heartbeat();
  // Ends registration retries and the heartbeat; may be called from any thread.
  void stop();

  const rpc::Endpoint& mgmtd() const { return mgmtd_; }

 private:
  proto::RegisterNodeRequest registration() const;
  proto::HeartbeatRequest heartbeat() const;
  void heartbeat_loop();
  // Waits `d` unless stop() comes first; returns false when stopping.
  bool wait_for(std::chrono::milliseconds d);

  rpc::RpcClient& rpc_;
  const rpc::Endpoint mgmtd_;
  StoredState& state_;
  const SessionOptions options_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;     // GUARDED_BY(mutex_)
};

}  // namespace combfs::stored
