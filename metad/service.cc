#include "metad/service.h"

#include <spdlog/spdlog.h>

namespace combfs::metad {

MetaService::MetaService(MetaStore& store, ClusterMapSource cluster_map, uint64_t seed,
                         ClusterMapSource fresh_cluster_map)
    : placement_(seed), ctx_{store, std::move(cluster_map), placement_, std::move(fresh_cluster_map)} {}

namespace {
// Wraps a handler so failures show up in the debug log with the request's name;
// the error itself goes back to the caller unchanged.
template <class Request, class Handler>
void add(rpc::Dispatcher& d, OpsContext& ctx, Handler handler) {
  d.add<Request>([&ctx, handler](const Request& req, rpc::RequestContext& rc) {
    auto resp = handler(ctx, req);
    if (!resp) spdlog::debug("{} from {}: {}", rpc::MessageTraits<Request>::kName, rc.peer, resp.error().to_string());
    return resp;
  });
}
}  // namespace

void MetaService::register_handlers(rpc::Dispatcher& d) {
  add<proto::PingRequest>(d, ctx_, ops::ping);
  add<proto::LookupRequest>(d, ctx_, ops::lookup);
  add<proto::GetAttrRequest>(d, ctx_, ops::get_attr);
  add<proto::SetAttrRequest>(d, ctx_, ops::set_attr);
  add<proto::CreateRequest>(d, ctx_, ops::create);
  add<proto::MkDirRequest>(d, ctx_, ops::mkdir);
  add<proto::RmDirRequest>(d, ctx_, ops::rmdir);
  add<proto::UnlinkRequest>(d, ctx_, ops::unlink);
  add<proto::RenameRequest>(d, ctx_, ops::rename);
  add<proto::ReadDirRequest>(d, ctx_, ops::read_dir);
  add<proto::SymlinkRequest>(d, ctx_, ops::symlink);
  add<proto::ReadLinkRequest>(d, ctx_, ops::read_link);
  add<proto::LinkRequest>(d, ctx_, ops::link);
  add<proto::OpenRequest>(d, ctx_, ops::open);
  add<proto::CloseRequest>(d, ctx_, ops::close);
  add<proto::UpdateSizeRequest>(d, ctx_, ops::update_size);
  add<proto::SetPatternRequest>(d, ctx_, ops::set_pattern);
  add<proto::GetXattrRequest>(d, ctx_, ops::get_xattr);
  add<proto::SetXattrRequest>(d, ctx_, ops::set_xattr);
  add<proto::ListXattrRequest>(d, ctx_, ops::list_xattr);
  add<proto::RemoveXattrRequest>(d, ctx_, ops::remove_xattr);
  locks_.register_handlers(d);
}

}  // namespace combfs::metad
