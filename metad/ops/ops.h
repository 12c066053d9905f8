// One handler per metad request, each in ops/<name>.cc. A handler turns the
// wire request into a MetaStore call and the result into the wire response;
// the namespace rules live in metad/store/, target choice in placement.
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

struct OpsContext {
  MetaStore& store;
  ClusterMapSource cluster_map;
  Placement& placement;
  // Fetches the map from mgmtd now (MgmtClient::refresh(true)); null in tests
  // with a fixed map. Used when the cached map may predate a new target.
  ClusterMapSource fresh_cluster_map = nullptr;
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
Result<proto::GetXattrResponse> get_xattr(OpsContext& ctx, const proto::GetXattrRequest& req);
Result<proto::SetXattrResponse> set_xattr(OpsContext& ctx, const proto::SetXattrRequest& req);
Result<proto::ListXattrResponse> list_xattr(OpsContext& ctx, const proto::ListXattrRequest& req);
Result<proto::RemoveXattrResponse> remove_xattr(OpsContext& ctx, const proto::RemoveXattrRequest& req);

}  // namespace ops
}  // namespace combfs::metad
