// The entries a metad request is about, for routing after a migration
// (docs/metadata.md "Migration"): the first is the one the request was routed
// by (a directory for requests about a name in it, else the entry itself);
// if it moved away, the sender is redirected (META_NOT_OWNER + the new
// owner). Every one of them is checked against the entries a running
// migration has frozen. Requests about no existing entry have none.
#pragma once

#include <vector>

#include "common/entry_id.h"
#include "proto/meta.pb.h"

namespace combfs::metad {

using Keys = std::vector<EntryId>;

inline EntryId key(const proto::EntryId& id) { return EntryId::from_proto(id); }

template <class Request>
Keys request_keys(const Request&) {
  return {};
}
inline Keys request_keys(const proto::LookupRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::GetAttrRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::SetAttrRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::CreateRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::MkDirRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::RmDirRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::UnlinkRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::RenameRequest& r) { return {key(r.src_parent()), key(r.dst_parent())}; }
inline Keys request_keys(const proto::ReadDirRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::SymlinkRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::ReadLinkRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::LinkRequest& r) { return {key(r.new_parent()), key(r.id())}; }
inline Keys request_keys(const proto::OpenRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::CloseRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::UpdateSizeRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::SetPatternRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::GetXattrRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::SetXattrRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::ListXattrRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::RemoveXattrRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::SetLockRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::GetLockRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::RemoteDirStateRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::RemoteSetParentRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::RemoteNameRequest& r) { return {key(r.id())}; }
inline Keys request_keys(const proto::RemoteInsertDentryRequest& r) { return {key(r.parent())}; }
inline Keys request_keys(const proto::RemoteAncestryRequest& r) { return {key(r.dir())}; }
inline Keys request_keys(const proto::RemoteSetChildOwnerRequest& r) { return {key(r.parent())}; }
// MigrateDir has none: it freezes its directory itself (ops/migrate_dir.cc
// redirects it when the directory moved away).

}  // namespace combfs::metad
