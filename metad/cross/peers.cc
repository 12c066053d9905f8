#include "metad/cross/peers.h"

#include <fmt/format.h>

namespace combfs::metad {

Peers::Peers(MetaStore& store, rpc::RpcClient* rpc, ClusterMapSource map, ClusterMapSource fresh_map,
             std::chrono::milliseconds timeout)
    : store_(store), rpc_(rpc), map_(std::move(map)), fresh_map_(std::move(fresh_map)), timeout_(timeout) {}

Result<rpc::Endpoint> Peers::endpoint(uint32_t node) {
  if (!rpc_)
    return error(proto::UNAVAILABLE, fmt::format("metad {} cannot reach metad {}: no RPC client (test setup)", self(), node));
  auto map = COMBFS_TRY(map_());
  if (auto ep = map->node_endpoint(node)) return *ep;
  // A metad that registered after our last refresh.
  if (fresh_map_) map = COMBFS_TRY(fresh_map_());
  return map->node_endpoint_or_error(node);
}

Result<proto::LookupResponse> Peers::local(const proto::LookupRequest& r) {
  proto::LookupResponse resp;
  *resp.mutable_info() = COMBFS_TRY(store_.lookup(EntryId::from_proto(r.parent()), r.name()));
  return resp;
}

Result<proto::GetAttrResponse> Peers::local(const proto::GetAttrRequest& r) {
  proto::GetAttrResponse resp;
  *resp.mutable_info() = COMBFS_TRY(store_.get_attr(EntryId::from_proto(r.id())));
  return resp;
}

Result<void> Peers::run(const proto::MetaJournalStep& step) {
  switch (step.step_case()) {
    case proto::MetaJournalStep::kDirState:
      COMBFS_CHECK(call(step.node(), step.dir_state()));
      return {};
    case proto::MetaJournalStep::kSetParent:
      COMBFS_CHECK(call(step.node(), step.set_parent()));
      return {};
    case proto::MetaJournalStep::kName:
      COMBFS_CHECK(call(step.node(), step.name()));
      return {};
    case proto::MetaJournalStep::kChildOwner:
      COMBFS_CHECK(call(step.node(), step.child_owner()));
      return {};
    case proto::MetaJournalStep::kMigrateDrop:
      COMBFS_CHECK(call(step.node(), step.migrate_drop()));
      return {};
    default:
      return error(proto::INTERNAL, "journal step without a request");
  }
}

}  // namespace combfs::metad
