#include "client/lib/locks.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace combfs::client {
namespace {

constexpr uint64_t kToEof = 0x7fffffffffffffffULL;

proto::LockRange whole(proto::LockType type) {
  proto::LockRange r;
  r.set_type(type);
  r.set_start(0);
  r.set_end(kToEof);
  return r;
}

}  // namespace

LockClient::LockClient(Cluster& cluster, LeaseKeeper& lease) : cluster_(cluster), lease_(lease) {
  lease_.set_observer([this](uint32_t node, const proto::LockKeepaliveResponse& resp) { on_keepalive(node, resp); });
}

LockClient::~LockClient() {
  lease_.set_observer(nullptr);
  // Locks still tracked no longer need the lease from this object's side.
  std::lock_guard<std::mutex> guard(mutex_);
  for (size_t i = 0; i < posix_.size() + flock_.size(); ++i) lease_.release();
}

template <class Request>
Result<typename rpc::RpcClient::ResponseOf<Request>> LockClient::send(LockSubject& s, const Request& req) {
  constexpr int kMaxRedirects = 8;
  constexpr auto kBusyPatience = std::chrono::seconds(30);
  auto give_up = std::chrono::steady_clock::now() + kBusyPatience;
  int redirects = 0;
  for (auto pause = std::chrono::milliseconds(2);;) {
    auto ep = COMBFS_TRY(cluster_.meta_endpoint(s.node));
    auto resp = cluster_.rpc().call(ep, req);
    if (!resp && resp.error().code() == proto::META_NOT_OWNER && resp.error().redirect_node() != 0 &&
        redirects++ < kMaxRedirects) {
      s.node = resp.error().redirect_node();
      continue;
    }
    if (resp || resp.error().code() != proto::UNAVAILABLE || std::chrono::steady_clock::now() + pause > give_up)
      return resp;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

Result<proto::SetLockResponse> LockClient::set(const LockSubject& subject, proto::LockKind kind,
                                               const proto::LockRange& range, bool wait) {
  LockSubject s = subject;
  proto::SetLockRequest req;
  s.id.to_proto(req.mutable_id());
  req.set_client_id(client_id());
  req.set_owner(s.owner);
  req.set_kind(kind);
  *req.mutable_range() = range;
  req.set_wait(wait);
  auto resp = COMBFS_TRY(send(s, req));
  // Tracked (for keepalives and release) at the metad that answered.
  if (range.type() != proto::LOCK_TYPE_UNLOCK) track(s, kind);
  // An unlock of everything leaves nothing to release at close.
  bool all = kind == proto::LOCK_KIND_FLOCK || (range.start() == 0 && range.end() >= kToEof);
  if (range.type() == proto::LOCK_TYPE_UNLOCK && all) {
    std::lock_guard<std::mutex> guard(mutex_);
    untrack(kind, Key{s.id, s.owner});
  }
  return resp;
}

Result<void> LockClient::cancel_wait(const LockSubject& subject, proto::LockKind kind) {
  LockSubject s = subject;
  proto::SetLockRequest req;
  s.id.to_proto(req.mutable_id());
  req.set_client_id(client_id());
  req.set_owner(s.owner);
  req.set_kind(kind);
  *req.mutable_range() = whole(proto::LOCK_TYPE_UNLOCK);
  req.set_cancel_wait(true);
  COMBFS_CHECK(send(s, req));
  return {};
}

Result<proto::GetLockResponse> LockClient::get(const LockSubject& subject, proto::LockKind kind,
                                               const proto::LockRange& range) {
  LockSubject s = subject;
  proto::GetLockRequest req;
  s.id.to_proto(req.mutable_id());
  req.set_client_id(client_id());
  req.set_owner(s.owner);
  req.set_kind(kind);
  *req.mutable_range() = range;
  return send(s, req);
}

Result<void> LockClient::flush(const LockSubject& s) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!untrack(proto::LOCK_KIND_POSIX, Key{s.id, s.owner})) return {};
  }
  return unlock_all(s, proto::LOCK_KIND_POSIX);
}

Result<void> LockClient::release(const LockSubject& s, uint64_t flock_owner) {
  std::vector<uint64_t> posix_owners;
  bool flock = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (flock_owner) flock = untrack(proto::LOCK_KIND_FLOCK, Key{s.id, flock_owner});
    // POSIX locks last taken through this handle and not yet dropped by a
    // flush: those of OFD locks (their owner is this open file description).
    for (auto it = posix_.lower_bound(Key{s.id, 0}); it != posix_.end() && it->first.first == s.id;) {
      if (it->second.handle == s.handle) {
        posix_owners.push_back(it->first.second);
        it = erase(posix_, it);
      } else {
        ++it;
      }
    }
  }
  Result<void> result;
  if (flock) {
    LockSubject f = s;
    f.owner = flock_owner;
    if (auto r = unlock_all(f, proto::LOCK_KIND_FLOCK); !r) result = r;
  }
  for (uint64_t owner : posix_owners) {
    LockSubject p = s;
    p.owner = owner;
    if (auto r = unlock_all(p, proto::LOCK_KIND_POSIX); !r) result = r;
  }
  return result;
}

Result<void> LockClient::unlock_all(const LockSubject& subject, proto::LockKind kind) {
  LockSubject s = subject;
  proto::SetLockRequest req;
  s.id.to_proto(req.mutable_id());
  req.set_client_id(client_id());
  req.set_owner(s.owner);
  req.set_kind(kind);
  *req.mutable_range() = whole(proto::LOCK_TYPE_UNLOCK);
  auto done = send(s, req);
  if (!done)
    return error(done.error().code(),
                 fmt::format("cannot release the locks of owner {:x} on {}: {} (metad drops them when this client's "
                             "lease runs out)",
                             s.owner, s.id.to_string(), done.error().message()));
  return {};
}

void LockClient::track(const LockSubject& s, proto::LockKind kind) {
  // By real node id: keepalive answers name the metad that gave them.
  const uint32_t node = s.node ? s.node : cluster_.root_owner();
  std::lock_guard<std::mutex> guard(mutex_);
  auto& map = kind == proto::LOCK_KIND_FLOCK ? flock_ : posix_;
  auto [it, added] = map.try_emplace(Key{s.id, s.owner}, Tracked{node, s.handle});
  if (!added) {
    it->second.handle = s.handle;
    return;
  }
  Node& n = nodes_[node];
  // A restart seen before this client held anything there lost nothing.
  if (n.tracked++ == 0) n.instance = 0;
  lease_.hold();
}

bool LockClient::untrack(proto::LockKind kind, const Key& key) {
  auto& map = kind == proto::LOCK_KIND_FLOCK ? flock_ : posix_;
  auto it = map.find(key);
  if (it == map.end()) return false;
  erase(map, it);
  return true;
}

std::map<LockClient::Key, LockClient::Tracked>::iterator LockClient::erase(std::map<Key, Tracked>& map,
                                                                          std::map<Key, Tracked>::iterator it) {
  --nodes_[it->second.node].tracked;
  lease_.release();
  return map.erase(it);
}

void LockClient::on_keepalive(uint32_t node, const proto::LockKeepaliveResponse& resp) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = nodes_.find(node);
  if (it == nodes_.end() || it->second.tracked == 0) return;
  Node& n = it->second;
  if (n.instance != 0 && n.instance != resp.instance())
    spdlog::error("metad {} restarted: the file locks this mount held there are lost", node);
  n.instance = resp.instance();
}

}  // namespace combfs::client
