// The one shape of every mutating request on a chunk file of a mirrored file
// (docs/mirroring.md "Mirrored data path"), BeeGFS's template written once:
// as the group's primary lock the chunk file's order, apply locally, forward
// the same request to the secondary, answer when both applied it; as the
// secondary (a forwarded request) just apply. Requests of unmirrored files
// (mirror_group 0) are applied as they are.
#pragma once

#include <optional>
#include <span>

#include "buddy/role.h"
#include "stored/ops/chunk_op.h"
#include "stored/state.h"

namespace combfs::stored {

// This target's role for a request about mirror group `group` (buddy::role_of
// on stored's map, fetched again from mgmtd once when it disagrees).
Result<buddy::Role> mirror_role(StoredState& state, uint32_t group, uint32_t target, bool forwarded);

// The failure to have the secondary apply a request the primary applied:
// STORAGE_MIRROR_FAILED naming both targets and what to do. Logs it.
Status mirror_failed(uint32_t group, uint32_t primary, uint32_t secondary, const char* op, const Status& cause);

// Runs `apply` (Result<Response>()) under mirroring. `order_file`: the chunk
// file whose order lock the primary holds (nullopt: no lock, for requests
// whose order does not matter, such as fsync and removal). `bulk`: the
// request's payload, forwarded with it.
template <class Request, class Apply>
auto run_mirrored(StoredState& state, const Request& req, std::optional<EntryId> order_file,
                  std::span<const char> bulk, const char* op, Apply apply) -> decltype(apply()) {
  if (req.mirror_group() == 0) return apply();
  const auto role = COMBFS_TRY(mirror_role(state, req.mirror_group(), req.target_id(), req.forwarded()));
  if (!role.primary) return apply();

  auto slot = COMBFS_TRY(state.mirror.forward_slot());
  std::unique_lock<std::mutex> order;
  if (order_file) order = state.mirror.order_lock(req.target_id(), *order_file);
  auto applied = apply();
  if (!applied) return applied;

  Request forwarded = req;
  forwarded.set_target_id(role.secondary);
  forwarded.set_forwarded(true);
  auto fail = [&](const Status& cause) {
    return std::unexpected(mirror_failed(req.mirror_group(), req.target_id(), role.secondary, op, cause));
  };
  auto ep = state.mirror.endpoint_of(role.secondary);
  if (!ep) return fail(ep.error());
  if (auto done = state.mirror.peers()->call(*ep, forwarded, rpc::CallBulk{.out = bulk, .in = {}}); !done)
    return fail(done.error());
  return applied;
}

}  // namespace combfs::stored
