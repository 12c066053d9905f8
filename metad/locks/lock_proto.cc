// Wire <-> table conversions for the lock requests (declared in lock_ops.h).
#include <fmt/format.h>

#include "metad/locks/lock_ops.h"

namespace combfs::metad::locks {

Result<LockRequest> to_request(const proto::EntryId& id, uint64_t client_id, uint64_t owner, proto::LockKind kind,
                               const proto::LockRange& range) {
  if (client_id == 0) return error(proto::INVALID_ARGUMENT, "lock request without a client id; upgrade the client");
  LockRequest r;
  r.file = EntryId::from_proto(id);
  r.owner = Owner{client_id, owner};
  switch (kind) {
    case proto::LOCK_KIND_POSIX: r.kind = Kind::posix; break;
    case proto::LOCK_KIND_FLOCK: r.kind = Kind::flock; break;
    default: return error(proto::INVALID_ARGUMENT, fmt::format("unknown lock kind {}", int(kind)));
  }
  switch (range.type()) {
    case proto::LOCK_TYPE_UNLOCK: r.type = Type::unlock; break;
    case proto::LOCK_TYPE_READ: r.type = Type::read; break;
    case proto::LOCK_TYPE_WRITE: r.type = Type::write; break;
    default: return error(proto::INVALID_ARGUMENT, fmt::format("unknown lock type {}", int(range.type())));
  }
  if (r.kind == Kind::flock) {
    r.start = 0;
    r.end = kToEof;
  } else {
    if (range.start() > range.end() || range.end() > kToEof)
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("bad lock range [{}, {}]: start must not exceed end, end at most {}", range.start(),
                               range.end(), kToEof));
    r.start = range.start();
    r.end = range.end();
  }
  r.pid = range.pid();
  return r;
}

proto::LockRange to_proto(const Lock& lock) {
  proto::LockRange r;
  r.set_type(lock.type == Type::write ? proto::LOCK_TYPE_WRITE
             : lock.type == Type::read ? proto::LOCK_TYPE_READ
                                       : proto::LOCK_TYPE_UNLOCK);
  r.set_start(lock.start);
  r.set_end(lock.end);
  r.set_pid(lock.pid);
  r.set_client_id(lock.owner.client_id);
  r.set_owner(lock.owner.owner);
  return r;
}

}  // namespace combfs::metad::locks
