// The metads as a cross-owner operation sees them: each Remote* request goes
// to a node by id. A request for this metad itself is a direct call of its
// handler, so one code path serves every placement (and a one-metad cluster
// never touches the network).
//
// Thread-safe.
#pragma once

#include <chrono>

#include "common/rpc/client.h"
#include "metad/cross/request_keys.h"
#include "metad/ops/ops.h"

namespace combfs::metad {

class Peers {
 public:
  // rpc: null when this metad may only talk to itself (tests). fresh_map
  // (optional) fetches the map from mgmtd when a node is not in the cached one.
  Peers(MetaStore& store, rpc::RpcClient* rpc, ClusterMapSource map, ClusterMapSource fresh_map,
        std::chrono::milliseconds timeout);

  uint32_t self() const { return store_.node_id(); }

  // A request about an entry that moved to another metad (migration) follows
  // the redirect: the forwarding record here, or META_NOT_OWNER with
  // redirect_node from the node asked.
  template <class Request>
  Result<typename rpc::MessageTraits<Request>::Response> call(uint32_t node, const Request& req) {
    for (int hop = 0;; ++hop) {
      if (node == 0 || node == self()) {
        auto keys = request_keys(req);
        auto to = keys.empty() ? std::nullopt : store_.moved_to(keys.front());
        if (!to || hop >= kMaxRedirects) return local(req);
        node = *to;
        continue;
      }
      auto ep = COMBFS_TRY(endpoint(node));
      // The step may rest on something this metad read but has not synced.
      COMBFS_CHECK(store_.wait_durable_seen());
      auto resp = rpc_->call(ep, req, {}, nullptr, timeout_);
      if (resp || resp.error().code() != proto::META_NOT_OWNER || resp.error().redirect_node() == 0 ||
          hop >= kMaxRedirects)
        return resp;
      node = resp.error().redirect_node();
    }
  }
  static constexpr int kMaxRedirects = 8;

  // One journal step (a MetaJournalStep) on its node.
  Result<void> run(const proto::MetaJournalStep& step);

 private:
  Result<rpc::Endpoint> endpoint(uint32_t node);
  Result<proto::RemoteDirCreateResponse> local(const proto::RemoteDirCreateRequest& r) { return ops::remote_dir_create(store_, r); }
  Result<proto::RemoteDirStateResponse> local(const proto::RemoteDirStateRequest& r) { return ops::remote_dir_state(store_, r); }
  Result<proto::RemoteSetParentResponse> local(const proto::RemoteSetParentRequest& r) { return ops::remote_set_parent(store_, r); }
  Result<proto::RemoteNameResponse> local(const proto::RemoteNameRequest& r) { return ops::remote_name(store_, r); }
  Result<proto::RemoteInsertDentryResponse> local(const proto::RemoteInsertDentryRequest& r) {
    return ops::remote_insert_dentry(store_, r);
  }
  Result<proto::RemoteOpAppliedResponse> local(const proto::RemoteOpAppliedRequest& r) { return ops::remote_op_applied(store_, r); }
  Result<proto::RemoteAncestryResponse> local(const proto::RemoteAncestryRequest& r) { return ops::remote_ancestry(store_, r); }
  Result<proto::LookupResponse> local(const proto::LookupRequest& r);
  Result<proto::RemoteMigrateInResponse> local(const proto::RemoteMigrateInRequest& r) { return ops::remote_migrate_in(store_, r); }
  Result<proto::RemoteMigrateDropResponse> local(const proto::RemoteMigrateDropRequest& r) {
    return ops::remote_migrate_drop(store_, r);
  }
  Result<proto::RemoteSetChildOwnerResponse> local(const proto::RemoteSetChildOwnerRequest& r) {
    return ops::remote_set_child_owner(store_, r);
  }
  Result<proto::RemoteSnapshotResponse> local(const proto::RemoteSnapshotRequest& r) { return ops::remote_snapshot(store_, r); }
  Result<proto::RemoteRepairResponse> local(const proto::RemoteRepairRequest& r) { return ops::remote_repair(store_, r); }
  Result<proto::GetAttrResponse> local(const proto::GetAttrRequest& r);

  MetaStore& store_;
  rpc::RpcClient* rpc_;
  ClusterMapSource map_;
  ClusterMapSource fresh_map_;
  std::chrono::milliseconds timeout_;
};

}  // namespace combfs::metad
