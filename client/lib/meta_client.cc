#include "client/lib/meta_client.h"

#include <algorithm>
#include <future>
#include <vector>

namespace combfs::client {

Result<proto::EntryInfo> MetaClient::lookup(uint32_t owner, const EntryId& parent, const std::string& name) {
  proto::LookupRequest req;
  parent.to_proto(req.mutable_parent());
  req.set_name(name);
  auto resp = COMBFS_TRY(send(owner, req));
  return complete(std::move(*resp.mutable_info()));
}

Result<proto::EntryInfo> MetaClient::complete(proto::EntryInfo info) {
  if (!info.partial()) return info;
  // The name lives with its directory, the entry on its own metad.
  return getattr(info.attr().owner_node(), EntryId::from_proto(info.attr().id()));
}

Result<proto::EntryInfo> MetaClient::getattr(uint32_t owner, const EntryId& id) {
  proto::GetAttrRequest req;
  id.to_proto(req.mutable_id());
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::EntryInfo> MetaClient::setattr(uint32_t owner, const proto::SetAttrRequest& req) {
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::CreateResponse> MetaClient::create(uint32_t owner, const proto::CreateRequest& req) {
  return send(owner, req);
}

Result<proto::EntryInfo> MetaClient::mkdir(uint32_t owner, const proto::MkDirRequest& req) {
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<void> MetaClient::rmdir(uint32_t owner, const EntryId& parent, const std::string& name) {
  proto::RmDirRequest req;
  parent.to_proto(req.mutable_parent());
  req.set_name(name);
  COMBFS_CHECK(send(owner, req));
  return {};
}

Result<void> MetaClient::unlink(uint32_t owner, const EntryId& parent, const std::string& name) {
  proto::UnlinkRequest req;
  parent.to_proto(req.mutable_parent());
  req.set_name(name);
  COMBFS_CHECK(send(owner, req));
  return {};
}

Result<void> MetaClient::rename(uint32_t owner, const proto::RenameRequest& req) {
  COMBFS_CHECK(send(owner, req));
  return {};
}

Result<proto::ReadDirResponse> MetaClient::readdir(uint32_t owner, const EntryId& dir, uint64_t cookie,
                                                   uint32_t max_entries, bool plus) {
  proto::ReadDirRequest req;
  dir.to_proto(req.mutable_id());
  req.set_cookie(cookie);
  req.set_max_entries(max_entries);
  req.set_plus(plus);
  for (;;) {
    auto resp = COMBFS_TRY(send(owner, req));
    if (!plus || resp.entries_size() == 0) return resp;
    const uint64_t last = resp.entries(resp.entries_size() - 1).cookie();
    // Entries stored on other metads: their attributes from there, all at once.
    std::vector<std::pair<proto::EntryInfo*, std::future<Result<rpc::RawReply>>>> pending;
    Result<void> failed;
    for (auto& e : *resp.mutable_entries()) {
      if (!e.info().partial()) continue;
      auto ep = cluster_.meta_endpoint(e.info().attr().owner_node());
      if (!ep) {
        failed = std::unexpected(ep.error());
        break;
      }
      proto::GetAttrRequest get;
      *get.mutable_id() = e.info().attr().id();
      pending.emplace_back(e.mutable_info(), cluster_.rpc().start(*ep, get));
    }
    bool vanished = false;
    for (auto& [info, call] : pending) {
      auto got = rpc::RpcClient::finish<proto::GetAttrRequest>(call);
      // A subdirectory that moved to another metad meanwhile: ask there.
      if (!got && got.error().code() == proto::META_NOT_OWNER && got.error().redirect_node() != 0) {
        auto moved = getattr(got.error().redirect_node(), EntryId::from_proto(info->attr().id()));
        if (moved) {
          got = proto::GetAttrResponse();
          *got->mutable_info() = std::move(*moved);
        } else {
          got = std::unexpected(moved.error());
        }
      }
      if (got)
        *info = std::move(*got->mutable_info());
      else if (got.error().code() == proto::META_NOT_FOUND)
        vanished = true;  // removed since the listing: left out below
      else if (failed)
        failed = std::unexpected(got.error());
    }
    if (!failed) return std::unexpected(failed.error());
    if (!vanished) return resp;
    auto* entries = resp.mutable_entries();
    entries->erase(std::remove_if(entries->begin(), entries->end(),
                                  [](const proto::DirEntry& e) { return e.info().partial(); }),
                   entries->end());
    if (resp.entries_size() > 0 || resp.eof()) return resp;
    req.set_cookie(last);  // the whole batch vanished: go on after it
  }
}

Result<proto::EntryInfo> MetaClient::symlink(uint32_t owner, const proto::SymlinkRequest& req) {
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<std::string> MetaClient::readlink(uint32_t owner, const EntryId& id) {
  proto::ReadLinkRequest req;
  id.to_proto(req.mutable_id());
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_target());
}

Result<proto::EntryInfo> MetaClient::link(uint32_t owner, const EntryId& id, const EntryId& new_parent,
                                          const std::string& new_name, uint32_t id_owner) {
  proto::LinkRequest req;
  id.to_proto(req.mutable_id());
  new_parent.to_proto(req.mutable_new_parent());
  req.set_new_name(new_name);
  req.set_owner(id_owner);
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::EntryInfo> MetaClient::open(uint32_t owner, const EntryId& id, bool for_write, uint64_t client_id) {
  proto::OpenRequest req;
  id.to_proto(req.mutable_id());
  req.set_for_write(for_write);
  req.set_client_id(client_id);
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::EntryInfo> MetaClient::close(uint32_t owner, const proto::CloseRequest& req) {
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::EntryInfo> MetaClient::update_size(uint32_t owner, const EntryId& id, uint64_t size, int64_t mtime_ns) {
  proto::UpdateSizeRequest req;
  id.to_proto(req.mutable_id());
  req.set_size(size);
  req.set_mtime_ns(mtime_ns);
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::EntryInfo> MetaClient::set_pattern(uint32_t owner, const EntryId& id,
                                                 const proto::StripePattern& pattern) {
  proto::SetPatternRequest req;
  id.to_proto(req.mutable_id());
  *req.mutable_pattern() = pattern;
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<std::string> MetaClient::getxattr(uint32_t owner, const EntryId& id, const std::string& name) {
  proto::GetXattrRequest req;
  id.to_proto(req.mutable_id());
  req.set_name(name);
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_value());
}

Result<void> MetaClient::setxattr(uint32_t owner, const EntryId& id, const std::string& name,
                                  const std::string& value, uint32_t flags,
                                  const std::vector<uint32_t>& caller_groups) {
  proto::SetXattrRequest req;
  id.to_proto(req.mutable_id());
  req.set_name(name);
  req.set_value(value);
  req.set_flags(flags);
  for (uint32_t g : caller_groups) req.add_caller_groups(g);
  COMBFS_CHECK(send(owner, req));
  return {};
}

Result<std::vector<std::string>> MetaClient::listxattr(uint32_t owner, const EntryId& id) {
  proto::ListXattrRequest req;
  id.to_proto(req.mutable_id());
  auto resp = COMBFS_TRY(send(owner, req));
  return std::vector<std::string>(resp.names().begin(), resp.names().end());
}

Result<void> MetaClient::removexattr(uint32_t owner, const EntryId& id, const std::string& name) {
  proto::RemoveXattrRequest req;
  id.to_proto(req.mutable_id());
  req.set_name(name);
  COMBFS_CHECK(send(owner, req));
  return {};
}

}  // namespace combfs::client
