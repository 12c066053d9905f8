// One handler per metad request, each in ops/<name>.cc. A handler turns the
// wire request into a MetaStore call and the result into the wire response;
// the namespace rules live in metad/store/, target choice in placement, and
// operations that involve other metads in metad/cross/.
#pragma once

#include <functional>
#include <memory>

#include "common/mgmt_client.h"
#include "metad/placement.h"
#include "metad/store/store.h"
#include "proto/meta.pb.h"
#include "proto/rpc.pb.h"

namespace combfs::metad {

// The current cluster map (MgmtClient::map() in the daemon, a fixed map in tests).
using ClusterMapSource = std::function<Result<std::shared_ptr<const ClusterMap>>()>;

class Cross;
class Sessions;

struct OpsContext {
  MetaStore& store;
  ClusterMapSource cluster_map;
  Placement& placement;
  // Fetches the map from mgmtd now (MgmtClient::refresh(true)); null in tests
  // with a fixed map. Used when the cached map may predate a new target.
  ClusterMapSource fresh_cluster_map = nullptr;
  // Asks mgmtd every time, unlike fresh_cluster_map (throttled for creates):
  // for rare administrative requests that must see a change made a moment
  // ago (setpattern right after addmirrorgroup). Null: use the others.
  ClusterMapSource mgmtd_cluster_map = nullptr;
  // Operations across metads (metad/cross/cross.h); null: this metad works
  // alone (entries stored elsewhere answer errors).
  Cross* cross = nullptr;
  // Client leases (metad/sessions.h): a request that carries a client id
  // renews its lease before it runs. Null: no leases (tests).
  Sessions* sessions = nullptr;
};

namespace ops {

Result<proto::PingResponse> ping(OpsContext& ctx, const proto::PingRequest& req);
Result<proto::LookupResponse> lookup(OpsContext& ctx, const proto::LookupRequest& req);
Result<proto::GetAttrResponse> get_attr(OpsContext& ctx, const proto::GetAttrRequest& req);
Result<proto::SetAttrResponse> set_attr(OpsContext& ctx, const proto::SetAttrRequest& req);
Result<proto::CreateResponse> create(OpsContext& ctx, const proto::CreateRequest& req);
Result<proto::MkDirResponse> mkdir(OpsContext& ctx, const proto::MkDirRequest& req);
Result<proto::RmDirResponse> rmdir(OpsContext& ctx, const proto::RmDirRequest& req);
Result<proto::UnlinkResponse> unlink(OpsContext& ctx, const proto::UnlinkRequest& req);
Result<proto::RenameResponse> rename(OpsContext& ctx, const proto::RenameRequest& req);
Result<proto::ReadDirResponse> read_dir(OpsContext& ctx, const proto::ReadDirRequest& req);
Result<proto::SymlinkResponse> symlink(OpsContext& ctx, const proto::SymlinkRequest& req);
Result<proto::ReadLinkResponse> read_link(OpsContext& ctx, const proto::ReadLinkRequest& req);
Result<proto::LinkResponse> link(OpsContext& ctx, const proto::LinkRequest& req);
Result<proto::OpenResponse> open(OpsContext& ctx, const proto::OpenRequest& req);
Result<proto::CloseResponse> close(OpsContext& ctx, const proto::CloseRequest& req);
Result<proto::UpdateSizeResponse> update_size(OpsContext& ctx, const proto::UpdateSizeRequest& req);
Result<proto::SetPatternResponse> set_pattern(OpsContext& ctx, const proto::SetPatternRequest& req);
Result<proto::SetHashResponse> set_hash(OpsContext& ctx, const proto::SetHashRequest& req);
Result<proto::GetXattrResponse> get_xattr(OpsContext& ctx, const proto::GetXattrRequest& req);
Result<proto::SetXattrResponse> set_xattr(OpsContext& ctx, const proto::SetXattrRequest& req);
Result<proto::ListXattrResponse> list_xattr(OpsContext& ctx, const proto::ListXattrRequest& req);
Result<proto::RemoveXattrResponse> remove_xattr(OpsContext& ctx, const proto::RemoveXattrRequest& req);

// metad to metad (the steps of cross-owner operations); they touch only the store.
Result<proto::RemoteDirCreateResponse> remote_dir_create(MetaStore& store, const proto::RemoteDirCreateRequest& req);
Result<proto::RemoteDirStateResponse> remote_dir_state(MetaStore& store, const proto::RemoteDirStateRequest& req);
Result<proto::RemoteSetParentResponse> remote_set_parent(MetaStore& store, const proto::RemoteSetParentRequest& req);
Result<proto::RemoteNameResponse> remote_name(MetaStore& store, const proto::RemoteNameRequest& req);
Result<proto::RemoteInsertDentryResponse> remote_insert_dentry(MetaStore& store,
                                                               const proto::RemoteInsertDentryRequest& req);
Result<proto::RemoteOpAppliedResponse> remote_op_applied(MetaStore& store, const proto::RemoteOpAppliedRequest& req);
Result<proto::RemoteAncestryResponse> remote_ancestry(MetaStore& store, const proto::RemoteAncestryRequest& req);

// Subtree migration (docs/metadata.md "Migration").
Result<proto::MigrateDirResponse> migrate_dir(OpsContext& ctx, const proto::MigrateDirRequest& req);
Result<proto::ListMigrationsResponse> list_migrations(OpsContext& ctx, const proto::ListMigrationsRequest& req);
Result<proto::RemoteMigrateInResponse> remote_migrate_in(MetaStore& store, const proto::RemoteMigrateInRequest& req);
Result<proto::RemoteMigrateDropResponse> remote_migrate_drop(MetaStore& store, const proto::RemoteMigrateDropRequest& req);
Result<proto::RemoteSetChildOwnerResponse> remote_set_child_owner(MetaStore& store,
                                                                  const proto::RemoteSetChildOwnerRequest& req);

// fsctl fsck --metadata: check (and repair) the namespace over every metad.
Result<proto::MetaFsckResponse> meta_fsck(OpsContext& ctx, const proto::MetaFsckRequest& req);
Result<proto::RemoteSnapshotResponse> remote_snapshot(MetaStore& store, const proto::RemoteSnapshotRequest& req);
Result<proto::RemoteRepairResponse> remote_repair(MetaStore& store, const proto::RemoteRepairRequest& req);

}  // namespace ops
}  // namespace combfs::metad
