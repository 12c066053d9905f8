// Where the storage requests for one entry of a file's layout go
// (docs/mirroring.md "Mirrored data path"). A raid0 layout names targets; a
// buddymirror layout names mirror groups, whose requests go to the group's
// current primary with the group named in the request (`mirror_group`), so
// the primary knows to forward mutations to the secondary. Pure: it reads a
// cluster map snapshot. Used by the client, by metad (size probe, removal
// queue) and by stored (the primary finding its secondary).
#pragma once

#include <cstdint>
#include <vector>

#include "common/mgmt_client.h"
#include "proto/meta.pb.h"

namespace combfs::buddy {

struct Route {
  uint32_t target = 0;     // where requests go: the target, or the group's primary
  uint32_t group = 0;      // 0: unmirrored
  uint32_t secondary = 0;  // the group's secondary target (0 when unmirrored)
  rpc::Endpoint endpoint;  // stored of `target`
};

inline bool is_mirrored(const proto::Layout& layout) {
  return layout.pattern().type() == proto::PATTERN_BUDDYMIRROR;
}

// The route of layout entry `id`: a target id, or a mirror group id when
// `mirrored`. Errors: STORAGE_UNKNOWN_TARGET / STORAGE_UNKNOWN_GROUP when the
// map does not have it (a stale map: refresh and ask again), MGMT_UNKNOWN_NODE.
Result<Route> route_of(const ClusterMap& map, uint32_t id, bool mirrored);

// route_of for every entry of the layout, in layout order.
Result<std::vector<Route>> routes_of(const ClusterMap& map, const proto::Layout& layout);

// Sets a storage request's target_id and mirror_group from `route`.
template <class Request>
void address(Request& req, const Route& route) {
  req.set_target_id(route.target);
  req.set_mirror_group(route.group);
}

}  // namespace combfs::buddy
