// What a stored daemon does with a request for a chunk of a mirrored file
// (docs/mirroring.md "Mirrored data path"), decided from its own cluster map:
// a client's request must reach the group's primary, which applies it and
// forwards it to the secondary; a forwarded one must reach the secondary.
// Refusing a forwarded request on the target the map calls primary is half of
// "never two primaries that accept writes": after a switch, the old primary
// cannot get its writes acknowledged through the new one. Pure.
#pragma once

#include <cstdint>
#include <map>

#include "common/status.h"
#include "proto/mgmt.pb.h"

namespace combfs::buddy {

struct Role {
  bool primary = false;    // apply, then forward to `secondary`
  uint32_t secondary = 0;  // the buddy to forward to (primary only)
};

// The role of `target` in mirror group `group` for a request that was
// (`forwarded`) or was not sent by the primary. Errors:
// STORAGE_UNKNOWN_GROUP when the map has no such group; STORAGE_NOT_PRIMARY
// (retryable: a map is stale) when the target does not hold that role, or is
// not in the group.
Result<Role> role_of(const std::map<uint32_t, proto::MirrorGroupInfo>& groups, uint32_t group, uint32_t target,
                     bool forwarded);

}  // namespace combfs::buddy
