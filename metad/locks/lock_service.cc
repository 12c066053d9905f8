#include "metad/locks/lock_service.h"

#include <spdlog/spdlog.h>

#include <random>

#include "metad/locks/lock_ops.h"

namespace combfs::metad::locks {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t random_instance() {
  std::random_device rd;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t(rd()) << 32) ^ rd() ^ uint64_t(steady_ms());
  return id;
}

// Like MetaService's wrapper: failures go to the debug log with the request's name.
template <class Request>
Result<std::shared_ptr<void>> admit(const LockService& service, const Request& req) {
  if constexpr (requires { req.id(); }) {
    if (service.admission()) return service.admission()(EntryId::from_proto(req.id()));
  }
  return nullptr;
}

template <class Request, class Handler>
void add(rpc::Dispatcher& d, LockService& service, Handler handler) {
  d.add<Request>([&service, handler](const Request& req, rpc::RequestContext& rc) -> decltype(handler(service, req)) {
    auto pass = admit(service, req);
    if (!pass) return std::unexpected(pass.error());
    auto resp = handler(service, req);
    if (!resp) spdlog::debug("{} from {}: {}", rpc::MessageTraits<Request>::kName, rc.peer, resp.error().to_string());
    return resp;
  });
}

}  // namespace

LockService::LockService(LockServiceOptions options)
    : clock_ms_(options.clock_ms ? std::move(options.clock_ms) : steady_ms),
      instance_(random_instance()),
      leases_(options.lease.count()) {}

void LockService::register_handlers(rpc::Dispatcher& d) {
  add<proto::SetLockRequest>(d, *this, ops::set_lock);
  add<proto::GetLockRequest>(d, *this, ops::get_lock);
  add<proto::LockKeepaliveRequest>(d, *this, ops::lock_keepalive);
}

bool LockService::has_locks(const EntryId& file) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return !table_.locks(file, Kind::posix).empty() || !table_.locks(file, Kind::flock).empty();
}

void LockService::set_lease(std::chrono::milliseconds lease) {
  std::lock_guard<std::mutex> guard(mutex_);
  leases_.set_lease_ms(lease.count());
}

std::chrono::milliseconds LockService::lease() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return std::chrono::milliseconds(leases_.lease_ms());
}

int64_t LockService::renew_and_expire(uint64_t client_id) {
  int64_t now = clock_ms_();
  // Expire first: a client that comes back after its lease ran out has lost
  // its locks even if this very request is from it.
  expire_locked(now);
  leases_.renew(client_id, now);
  return now;
}

void LockService::expire_locked(int64_t now) {
  for (uint64_t dead : leases_.take_expired(now)) {
    size_t dropped = table_.drop_client(dead);
    if (dropped > 0)
      spdlog::warn("dropped {} locks/waiters of client {:016x}: no request or keepalive for more than {} ms "
                   "(client dead or partitioned)",
                   dropped, dead, leases_.lease_ms());
    if (expiry_hook_) dropped += expiry_hook_(dead, leases_.lease_ms());
    if (dropped > 0) leases_.mark_lost(dead);
  }
}

void LockService::renew(uint64_t client_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  renew_and_expire(client_id);
}

void LockService::expire() {
  std::lock_guard<std::mutex> guard(mutex_);
  expire_locked(clock_ms_());
}

void LockService::adopt(const std::vector<uint64_t>& clients) {
  std::lock_guard<std::mutex> guard(mutex_);
  const int64_t now = clock_ms_();
  for (uint64_t client : clients) leases_.adopt(client, now);
}

bool LockService::renew_and_take_lost(uint64_t client_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  renew_and_expire(client_id);
  return leases_.take_lost(client_id);
}

}  // namespace combfs::metad::locks
