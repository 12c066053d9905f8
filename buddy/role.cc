#include "buddy/role.h"

#include <fmt/format.h>

namespace combfs::buddy {

Result<Role> role_of(const std::map<uint32_t, proto::MirrorGroupInfo>& groups, uint32_t group, uint32_t target,
                     bool forwarded) {
  auto it = groups.find(group);
  if (it == groups.end())
    return error(proto::STORAGE_UNKNOWN_GROUP,
                 fmt::format("target {} got a request for mirror group {}, which its cluster map does not have; "
                             "`fsctl listmirrorgroups` shows the groups",
                             target, group));
  const auto& g = it->second;
  if (!forwarded) {
    if (g.primary() == target) return Role{true, g.secondary()};
    return error(proto::STORAGE_NOT_PRIMARY,
                 fmt::format("target {} is not the primary of mirror group {} (the primary is target {}): the "
                             "sender's cluster map is stale; it retries with a fresh one",
                             target, group, g.primary()));
  }
  if (g.secondary() == target) return Role{false, 0};
  if (g.primary() == target)
    return error(proto::STORAGE_NOT_PRIMARY,
                 fmt::format("target {} refuses a request forwarded to it for mirror group {}: its map says it is "
                             "the group's primary now, so the sender is no longer one and must not have its writes "
                             "acknowledged",
                             target, group));
  return error(proto::STORAGE_NOT_PRIMARY,
               fmt::format("target {} got a request forwarded for mirror group {}, whose targets are {} and {}: "
                           "the sender's cluster map is stale",
                           target, group, g.primary(), g.secondary()));
}

}  // namespace combfs::buddy
