// Typed calls for every request of proto/meta.proto. Each call names the metad
// that owns the directory (or entry) it is about: `owner` is a node id, 0 for
// the owner of "/". Routing follows the rule of proto/meta.proto:
//   - requests about a name in a directory go to the directory's owner,
//   - requests about an entry go to the entry's owner (Attr.owner_node).
// Redirects (META_NOT_OWNER) are not followed yet: with one metad nothing moves.
#pragma once

#include <string>

#include "client/lib/cluster.h"
#include "common/entry_id.h"

namespace combfs::client {

class MetaClient {
 public:
  explicit MetaClient(Cluster& cluster) : cluster_(cluster) {}

  Result<proto::EntryInfo> lookup(uint32_t owner, const EntryId& parent, const std::string& name);
  Result<proto::EntryInfo> getattr(uint32_t owner, const EntryId& id);
  Result<proto::EntryInfo> setattr(uint32_t owner, const proto::SetAttrRequest& req);
  Result<proto::CreateResponse> create(uint32_t owner, const proto::CreateRequest& req);
  Result<proto::EntryInfo> mkdir(uint32_t owner, const proto::MkDirRequest& req);
  Result<void> rmdir(uint32_t owner, const EntryId& parent, const std::string& name);
  Result<void> unlink(uint32_t owner, const EntryId& parent, const std::string& name);
  // Sent to the owner of the source directory.
  Result<void> rename(uint32_t owner, const proto::RenameRequest& req);
  Result<proto::ReadDirResponse> readdir(uint32_t owner, const EntryId& dir, uint64_t cookie, uint32_t max_entries,
                                         bool plus);
  Result<proto::EntryInfo> symlink(uint32_t owner, const proto::SymlinkRequest& req);
  Result<std::string> readlink(uint32_t owner, const EntryId& id);
  // Sent to the owner of the new parent directory.
  Result<proto::EntryInfo> link(uint32_t owner, const EntryId& id, const EntryId& new_parent,
                                const std::string& new_name);
  Result<proto::EntryInfo> open(uint32_t owner, const EntryId& id, bool for_write, uint64_t client_id);
  Result<proto::EntryInfo> close(uint32_t owner, const proto::CloseRequest& req);
  Result<proto::EntryInfo> update_size(uint32_t owner, const EntryId& id, uint64_t size, int64_t mtime_ns);
  Result<proto::EntryInfo> set_pattern(uint32_t owner, const EntryId& id, const proto::StripePattern& pattern);
  Result<std::string> getxattr(uint32_t owner, const EntryId& id, const std::string& name);
  // flags: XATTR_CREATE / XATTR_REPLACE as in setxattr(2).
  Result<void> setxattr(uint32_t owner, const EntryId& id, const std::string& name, const std::string& value,
                        uint32_t flags);
  Result<std::vector<std::string>> listxattr(uint32_t owner, const EntryId& id);
  Result<void> removexattr(uint32_t owner, const EntryId& id, const std::string& name);

 private:
  template <class Request>
  Result<typename rpc::RpcClient::ResponseOf<Request>> send(uint32_t owner, const Request& req) {
    auto ep = COMBFS_TRY(cluster_.meta_endpoint(owner));
    return cluster_.rpc().call(ep, req);
  }

  Cluster& cluster_;
};

}  // namespace combfs::client
