#include "metad/service.h"

#include <spdlog/spdlog.h>

namespace combfs::metad {

MetaService::MetaService(MetaStore& store, ClusterMapSource cluster_map, uint64_t seed,
                         ClusterMapSource fresh_cluster_map, CrossOptions cross)
    : placement_(seed),
      ctx_{store, std::move(cluster_map), placement_, std::move(fresh_cluster_map)},
      sessions_(store, locks_) {
  cross_ = std::make_unique<Cross>(store, ctx_.cluster_map, ctx_.fresh_cluster_map, std::move(cross), seed + 1);
  ctx_.cross = cross_.get();
  ctx_.sessions = &sessions_;
  // Locks stay in memory where they were taken: files with locks do not
  // move, and lock requests about moved or moving files are redirected or wait.
  cross_->has_locks = [this](const EntryId& file) { return locks_.has_locks(file); };
  locks_.set_admission([this](const EntryId& file) -> Result<std::shared_ptr<void>> {
    auto pass = cross::admit(ctx_.store, &cross_->gate(), {file});
    if (!pass) return std::unexpected(pass.error());
    return std::make_shared<MigrationGate::Pass>(std::move(*pass));
  });
}

namespace {
// Wraps a handler so failures show up in the debug log with the request's name;
// the error itself goes back to the caller unchanged.
// Requests about entries that moved away are redirected, and those about
// entries a migration has frozen wait their turn (cross::admit).
// A request that carries a client id (Open, Close, Create) renews that
// client's lease first, so an expiry of its records is complete before it runs.
template <class Request, class Handler>
void add(rpc::Dispatcher& d, OpsContext& ctx, Handler handler) {
  d.add<Request>([&ctx, handler](const Request& req, rpc::RequestContext& rc) -> decltype(handler(ctx, req)) {
    if constexpr (requires { req.client_id(); })
      if (ctx.sessions) ctx.sessions->renew(req.client_id());
    auto pass = cross::admit(ctx.store, ctx.cross ? &ctx.cross->gate() : nullptr, request_keys(req));
    if (!pass) return std::unexpected(pass.error());
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
  add<proto::SetHashRequest>(d, ctx_, ops::set_hash);
  add<proto::GetXattrRequest>(d, ctx_, ops::get_xattr);
  add<proto::SetXattrRequest>(d, ctx_, ops::set_xattr);
  add<proto::ListXattrRequest>(d, ctx_, ops::list_xattr);
  add<proto::RemoveXattrRequest>(d, ctx_, ops::remove_xattr);
  // From other metads: steps of cross-owner operations.
  // Their answers are built on here by another metad: answer only what is durable.
  auto on_store = [](auto op) {
    return [op](OpsContext& ctx, const auto& req) -> decltype(op(ctx.store, req)) {
      auto resp = op(ctx.store, req);
      if (auto durable = ctx.store.wait_durable_seen(); !durable) return std::unexpected(durable.error());
      return resp;
    };
  };
  // Test-only crash points (--crash-at) where a step has been applied here but
  // not answered: the metad that sent it must finish or take back its move.
  auto then_crash = [](auto op, const char* point) {
    return [op, point](OpsContext& ctx, const auto& req) {
      auto resp = op(ctx, req);
      if (resp && ctx.cross) (void)ctx.cross->crash_at(point);
      return resp;
    };
  };
  add<proto::RemoteDirCreateRequest>(d, ctx_, on_store(ops::remote_dir_create));
  add<proto::RemoteDirStateRequest>(d, ctx_, then_crash(on_store(ops::remote_dir_state), "dir_state.applied"));
  add<proto::RemoteSetParentRequest>(d, ctx_, on_store(ops::remote_set_parent));
  add<proto::RemoteNameRequest>(d, ctx_, on_store(ops::remote_name));
  add<proto::RemoteInsertDentryRequest>(d, ctx_, on_store(ops::remote_insert_dentry));
  add<proto::RemoteOpAppliedRequest>(d, ctx_, on_store(ops::remote_op_applied));
  add<proto::RemoteAncestryRequest>(d, ctx_, on_store(ops::remote_ancestry));
  // Subtree migration (fsctl migrate, listmigrations).
  add<proto::MigrateDirRequest>(d, ctx_, ops::migrate_dir);
  add<proto::ListMigrationsRequest>(d, ctx_, ops::list_migrations);
  add<proto::RemoteMigrateInRequest>(d, ctx_, then_crash(on_store(ops::remote_migrate_in), "migrate_in.applied"));
  add<proto::RemoteMigrateDropRequest>(d, ctx_, on_store(ops::remote_migrate_drop));
  add<proto::RemoteSetChildOwnerRequest>(d, ctx_, on_store(ops::remote_set_child_owner));
  // fsctl fsck --metadata, and its steps on every metad.
  add<proto::MetaFsckRequest>(d, ctx_, ops::meta_fsck);
  add<proto::RemoteSnapshotRequest>(d, ctx_, on_store(ops::remote_snapshot));
  add<proto::RemoteRepairRequest>(d, ctx_, on_store(ops::remote_repair));
  locks_.register_handlers(d);
}

}  // namespace combfs::metad
