#include "stored/mirror_link.h"

#include <functional>

namespace combfs::stored {

Result<std::shared_ptr<const ClusterMap>> MirrorLink::map(bool fresh) const {
  if (!map_)
    return error(proto::UNAVAILABLE, "this stored has no cluster map yet (not registered with mgmtd): retry later");
  return map_(fresh);
}

Result<rpc::Endpoint> MirrorLink::endpoint_of(uint32_t target) const {
  return COMBFS_TRY(map(false))->target_endpoint_or_error(target);
}

Result<MirrorLink::Slot> MirrorLink::forward_slot() {
  if (!slots_.try_acquire_for(std::chrono::milliseconds(200)))
    return error(proto::UNAVAILABLE,
                 "this stored has as many requests waiting for their mirror secondaries as it allows; retry");
  return Slot(this);
}

std::unique_lock<std::mutex> MirrorLink::order_lock(uint32_t target, const EntryId& file) {
  const size_t h = std::hash<uint64_t>{}(file.hi * 0x9e3779b97f4a7c15ull ^ file.lo) ^ (target * 0x85ebca6bu);
  return std::unique_lock(order_locks_[h % order_locks_.size()]);
}

}  // namespace combfs::stored
