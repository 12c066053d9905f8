#include "stored/mgmt_session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace combfs::stored {

MgmtSession::MgmtSession(rpc::RpcClient& rpc, rpc::Endpoint mgmtd, StoredState& state, SessionOptions options)
    : rpc_(rpc), mgmtd_(std::move(mgmtd)), state_(state), options_(std::move(options)) {}

MgmtSession::~MgmtSession() { stop(); }

void MgmtSession::stop() {
  std::thread heartbeat;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    heartbeat = std::move(thread_);
  }
  cv_.notify_all();
  if (heartbeat.joinable()) heartbeat.join();
}

bool MgmtSession::wait_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

proto::RegisterNodeRequest MgmtSession::registration() const {
  proto::RegisterNodeRequest req;
  req.set_uuid(options_.node_uuid);
  req.set_type(proto::NODE_STORAGE);
  req.set_alias(options_.alias);
  req.set_host(options_.host);
  req.set_port(options_.port);
  for (auto& target : state_.targets.all()) {
    auto* t = req.add_targets();
    t->set_uuid(target->uuid());
    t->set_path(target->path());
    auto cap = target->capacity();
    if (cap) {
      t->set_total_bytes(cap->total_bytes);
      t->set_free_bytes(cap->free_bytes);
    } else {
      spdlog::warn("{}", cap.error().message());  // registers with 0 bytes; the heartbeat retries
    }
  }
  return req;
}

Result<void> MgmtSession::register_node() {
  const auto give_up = std::chrono::steady_clock::now() + options_.patience;
  for (;;) {
    auto resp = rpc_.call(mgmtd_, registration(), {}, nullptr, options_.call_timeout);
    if (resp) {
      std::vector<uint32_t> ids(resp->target_ids().begin(), resp->target_ids().end());
      COMBFS_CHECK(state_.targets.assign_ids(ids));
      state_.node_id = resp->node_id();
      std::vector<std::string> shown;
      for (auto& [id, t] : state_.targets.by_id()) shown.push_back(fmt::format("{}={}", id, t->path()));
      spdlog::info("registered with mgmtd at {} as storage node {} (uuid {}); targets {}; maps version {}",
                   mgmtd_.to_string(), resp->node_id(), options_.node_uuid, fmt::join(shown, ", "),
                   resp->maps_version());
      return {};
    }
    if (!resp.error().retryable() || std::chrono::steady_clock::now() >= give_up)
      return error(resp.error().code(), fmt::format("cannot register with mgmtd at {}: {}; check --mgmtd and that "
                                                    "combfs-mgmtd runs with the same secret",
                                                    mgmtd_.to_string(), resp.error().message()));
    spdlog::info("waiting for mgmtd at {}: {}", mgmtd_.to_string(), resp.error().to_string());
    if (!wait_for(std::chrono::milliseconds(500)))
      return error(proto::UNAVAILABLE, "registration with mgmtd cancelled: shutting down");
  }
}

proto::HeartbeatRequest MgmtSession::heartbeat() const {
  proto::HeartbeatRequest req;
  req.set_node_id(state_.node_id.load());
  for (auto& [id, target] : state_.targets.by_id()) {
    auto cap = target->capacity();
    if (!cap) {
      spdlog::warn("{}", cap.error().message());
      continue;
    }
    auto* t = req.add_targets();
    t->set_target_id(id);
    t->set_total_bytes(cap->total_bytes);
    t->set_free_bytes(cap->free_bytes);
  }
  return req;
}

void MgmtSession::start_heartbeat() {
  std::lock_guard lock(mutex_);
  if (stopping_ || thread_.joinable()) return;
  thread_ = std::thread([this] { heartbeat_loop(); });
}

void MgmtSession::heartbeat_loop() {
  bool failing = false;  // log a lost mgmtd once, not every interval
  bool first = true;
  const auto timeout = std::max(options_.heartbeat_interval * 2, options_.call_timeout);
  while (wait_for(first ? std::chrono::milliseconds(0) : options_.heartbeat_interval)) {
    first = false;
    auto resp = rpc_.call(mgmtd_, heartbeat(), {}, nullptr, timeout);
    if (resp) {
      if (failing) spdlog::info("heartbeats to mgmtd at {} succeed again", mgmtd_.to_string());
      failing = false;
      spdlog::debug("heartbeat accepted by mgmtd at {}; maps version {}", mgmtd_.to_string(), resp->maps_version());
      continue;
    }
    auto code = resp.error().code();
    if (code == proto::MGMT_UNKNOWN_NODE || code == proto::MGMT_UNKNOWN_TARGET) {
      spdlog::warn("mgmtd at {} no longer knows this node ({}); registering again", mgmtd_.to_string(),
                   resp.error().message());
      if (auto again = register_node(); !again) spdlog::error("{}", again.error().message());
      continue;
    }
    if (!failing)
      spdlog::warn("heartbeat to mgmtd at {} failed: {}; will keep trying every {} ms", mgmtd_.to_string(),
                   resp.error().to_string(), options_.heartbeat_interval.count());
    failing = true;
  }
}

}  // namespace combfs::stored
