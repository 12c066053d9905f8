// Private to metad/cross/*.cc.
#pragma once

#include <fmt/format.h>

#include "metad/cross/cross.h"

namespace combfs::metad::cross {

// What a handler returns when a test crash point stopped it.
inline std::unexpected<Status> crashed(std::string_view point) {
  return error(proto::INTERNAL, fmt::format("stopped at test crash point '{}'", point));
}

#define COMBFS_CRASH_POINT(c, point) \
  do {                               \
    if ((c).crash_at(point)) return ::combfs::metad::cross::crashed(point); \
  } while (0)

}  // namespace combfs::metad::cross
