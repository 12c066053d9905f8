// Typed calls for every request of proto/meta.proto. Each call names the metad
// that owns the directory (or entry) it is about: `owner` is a node id, 0 for
// the owner of "/". Routing follows the rule of proto/meta.proto:
//   - requests about a name in a directory go to the directory's owner,
//   - requests about an entry go to the entry's owner (Attr.owner_node).
// A name whose entry is stored on another metad comes back partial
// (EntryInfo.partial); lookup and readdir(plus) complete it with GetAttr at
// that metad, so callers always get full attributes and the right owner.
// A metad that answers UNAVAILABLE (busy, or names changed under a rename) did
// nothing: the call is sent again with backoff for up to kBusyPatience.
// A metad that answers META_NOT_OWNER with a redirect (the directory moved to
// another metad, docs/metadata.md "Migration") did nothing either: the call
// goes to the metad it names (at most kMaxRedirects hops per call). Answers
// carry the entry's owner (Attr.owner_node), which callers cache as before.
//
// Hashed directories (docs/metadata.md): every request about a name in one
// goes to the shard the name hashes to (client/lib/dir_hash.h), and readdir
// merges the shards. MetaClient remembers the shards of every hashed
// directory it sees in an EntryInfo (they never change); a directory it does
// not know as hashed is asked directly, and its answer META_HASHED_DIR makes
// MetaClient fetch the shards (GetAttr) and send the request again. getattr
// of a hashed directory reports the latest mtime/ctime of it and its shards.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

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
  // Sent to the owner of the new parent directory; id_owner stores `id` (0: the same metad).
  Result<proto::EntryInfo> link(uint32_t owner, const EntryId& id, const EntryId& new_parent,
                                const std::string& new_name, uint32_t id_owner = 0);
  Result<proto::EntryInfo> open(uint32_t owner, const EntryId& id, bool for_write, uint64_t client_id);
  Result<proto::EntryInfo> close(uint32_t owner, const proto::CloseRequest& req);
  Result<proto::EntryInfo> update_size(uint32_t owner, const EntryId& id, uint64_t size, int64_t mtime_ns);
  Result<proto::EntryInfo> set_pattern(uint32_t owner, const EntryId& id, const proto::StripePattern& pattern);
  Result<std::string> getxattr(uint32_t owner, const EntryId& id, const std::string& name);
  // flags: XATTR_CREATE / XATTR_REPLACE as in setxattr(2). caller_groups:
  // SetXattrRequest.caller_groups (empty for a privileged caller).
  Result<void> setxattr(uint32_t owner, const EntryId& id, const std::string& name, const std::string& value,
                        uint32_t flags, const std::vector<uint32_t>& caller_groups = {});
  Result<std::vector<std::string>> listxattr(uint32_t owner, const EntryId& id);
  Result<void> removexattr(uint32_t owner, const EntryId& id, const std::string& name);

  // Any other metad request (fsctl: MigrateDir, ListMigrations, ...), with the
  // same retries and redirects as the calls above.
  template <class Request>
  Result<typename rpc::RpcClient::ResponseOf<Request>> call(uint32_t owner, const Request& req) {
    return send(owner, req);
  }
  // fsctl sethash: empty directory `id` becomes hashed over `shards` shards.
  Result<proto::EntryInfo> sethash(uint32_t owner, const EntryId& id, uint32_t shards);

  // Full attributes for a partial EntryInfo (unchanged when not partial).
  Result<proto::EntryInfo> complete(proto::EntryInfo info);

  // Where requests about `name` in directory `dir` (owned by `owner`) go:
  // the directory itself, or for a hashed directory the name's shard.
  struct Place {
    uint32_t owner = 0;
    EntryId dir;
  };
  Place place_of(uint32_t owner, const EntryId& dir, std::string_view name);
  // The shards of `dir` as far as known (empty: a plain directory).
  std::vector<proto::DirShard> shards_of(const EntryId& dir);

  static constexpr std::chrono::seconds kBusyPatience{30};
  static constexpr int kMaxRedirects = 8;
  // Entries per merged readdir of a hashed directory when the caller gives no limit.
  static constexpr uint32_t kMergedReadDirEntries = 1024;

 private:
  template <class Request>
  Result<typename rpc::RpcClient::ResponseOf<Request>> send(uint32_t owner, const Request& req) {
    auto give_up = std::chrono::steady_clock::now() + kBusyPatience;
    int redirects = 0;
    for (auto pause = std::chrono::milliseconds(2);;) {
      auto ep = COMBFS_TRY(cluster_.meta_endpoint(owner));
      auto resp = cluster_.rpc().call(ep, req);
      if (!resp && resp.error().code() == proto::META_NOT_OWNER && resp.error().redirect_node() != 0 &&
          redirects < kMaxRedirects) {
        owner = resp.error().redirect_node();
        ++redirects;
        continue;
      }
      if (resp || resp.error().code() != proto::UNAVAILABLE || std::chrono::steady_clock::now() + pause > give_up)
        return resp;
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
  }

  // The directory itself, without the merge over shards.
  Result<proto::ReadDirResponse> readdir_one(uint32_t owner, const EntryId& dir, uint64_t cookie,
                                             uint32_t max_entries, bool plus);
  Result<proto::ReadDirResponse> readdir_merged(const std::vector<proto::DirShard>& shards, uint64_t cookie,
                                                uint32_t max_entries, bool plus);
  // Names of a hashed directory change in its shards: its mtime and ctime
  // become the latest of its own and its shards' (GetAttr of each, at once).
  void merge_shard_times(proto::EntryInfo& info);
  // Records the shards of a hashed directory described by `info`.
  void learn(const proto::EntryInfo& info);
  // After META_HASHED_DIR: fetches the directory's shards; true when it is hashed.
  bool relearn(uint32_t owner, const EntryId& dir);
  // Calls f(place) for `name` in `dir`, and once more at the right shard when
  // the directory turned out to be hashed.
  template <class F>
  auto at_name(uint32_t owner, const EntryId& dir, std::string_view name, F&& f) -> decltype(f(std::declval<const Place&>())) {
    auto r = f(place_of(owner, dir, name));
    if (r || r.error().code() != proto::META_HASHED_DIR || !relearn(owner, dir)) return r;
    return f(place_of(owner, dir, name));
  }
  // A node id with 0 (the root owner) resolved, for requests that name a
  // metad other than the receiver.
  uint32_t real_node(uint32_t node) { return node ? node : cluster_.root_owner(); }

  Cluster& cluster_;
  std::mutex mutex_;
  std::unordered_map<EntryId, std::vector<proto::DirShard>> hashed_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::client
