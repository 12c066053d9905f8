#include "stored/ops/mirrored.h"

#include <spdlog/spdlog.h>

namespace combfs::stored {

Result<buddy::Role> mirror_role(StoredState& state, uint32_t group, uint32_t target, bool forwarded) {
  auto map = COMBFS_TRY(state.mirror.map(false));
  auto role = buddy::role_of(map->mirror_groups, group, target, forwarded);
  if (role) return role;
  // Our map may be the stale one (a group just added): ask mgmtd once.
  map = COMBFS_TRY(state.mirror.map(true));
  return buddy::role_of(map->mirror_groups, group, target, forwarded);
}

Status mirror_failed(uint32_t group, uint32_t primary, uint32_t secondary, const char* op, const Status& cause) {
  Status status(proto::STORAGE_MIRROR_FAILED,
                fmt::format("mirror group {}: the {} was applied on the primary, target {}, but its secondary, "
                            "target {}, did not apply it: {}; the two copies may differ. Bring the secondary's "
                            "combfs-stored back (fsctl listtargets shows its state) and write the data again; "
                            "going on with one copy and resyncing later is not built yet",
                            group, op, primary, secondary, cause.to_string()));
  spdlog::error("{}", status.message());
  return status;
}

}  // namespace combfs::stored
