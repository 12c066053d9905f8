#include "client/lib/meta_client.h"

namespace combfs::client {

Result<proto::EntryInfo> MetaClient::lookup(uint32_t owner, const EntryId& parent, const std::string& name) {
  proto::LookupRequest req;
  parent.to_proto(req.mutable_parent());
  req.set_name(name);
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
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
  return send(owner, req);
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
                                          const std::string& new_name) {
  proto::LinkRequest req;
  id.to_proto(req.mutable_id());
  new_parent.to_proto(req.mutable_new_parent());
  req.set_new_name(new_name);
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
                                  const std::string& value, uint32_t flags) {
  proto::SetXattrRequest req;
  id.to_proto(req.mutable_id());
  req.set_name(name);
  req.set_value(value);
  req.set_flags(flags);
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
