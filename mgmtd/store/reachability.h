// Node health from heartbeat age: a pure function, so every transition is
// testable without sleeping.
#pragma once

#include <cstdint>

#include "proto/mgmt.pb.h"

namespace combfs::mgmtd {

struct ReachabilityPolicy {
  int64_t probably_offline_after_ms = 10000;  // no heartbeat for this long: probably offline
  int64_t offline_after_ms = 30000;           // no heartbeat for this long: offline (failover may act)
};

// online while age < probably_offline_after, probably-offline while age <
// offline_after, offline afterwards. A negative age (clock stepped back) is online.
inline proto::Reachability reachability(int64_t heartbeat_age_ms, const ReachabilityPolicy& policy) {
  if (heartbeat_age_ms < policy.probably_offline_after_ms) return proto::REACH_ONLINE;
  if (heartbeat_age_ms < policy.offline_after_ms) return proto::REACH_PROBABLY_OFFLINE;
  return proto::REACH_OFFLINE;
}

// "online", "probably-offline", "offline": the words fsctl and the logs use.
inline const char* reach_name(proto::Reachability reach) {
  switch (reach) {
    case proto::REACH_ONLINE: return "online";
    case proto::REACH_PROBABLY_OFFLINE: return "probably-offline";
    default: return "offline";
  }
}

}  // namespace combfs::mgmtd
