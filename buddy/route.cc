#include "buddy/route.h"

#include <fmt/format.h>

namespace combfs::buddy {

Result<Route> route_of(const ClusterMap& map, uint32_t id, bool mirrored) {
  Route route;
  if (!mirrored) {
    route.target = id;
  } else {
    auto group = map.mirror_groups.find(id);
    if (group == map.mirror_groups.end())
      return error(proto::STORAGE_UNKNOWN_GROUP,
                   fmt::format("mirror group {} is not in the cluster map (version {}); `fsctl listmirrorgroups` "
                               "shows the groups",
                               id, map.version));
    route.target = group->second.primary();
    route.group = id;
    route.secondary = group->second.secondary();
  }
  route.endpoint = COMBFS_TRY(map.target_endpoint_or_error(route.target));
  return route;
}

Result<std::vector<Route>> routes_of(const ClusterMap& map, const proto::Layout& layout) {
  std::vector<Route> routes;
  routes.reserve(layout.targets_size());
  for (uint32_t id : layout.targets()) routes.push_back(COMBFS_TRY(route_of(map, id, is_mirrored(layout))));
  return routes;
}

}  // namespace combfs::buddy
