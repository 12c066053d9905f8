#include "client/lib/meta_client.h"

#include <algorithm>
#include <future>
#include <vector>

#include "client/lib/dir_hash.h"
#include "client/lib/dir_merge.h"

namespace combfs::client {

MetaClient::Place MetaClient::place_of(uint32_t owner, const EntryId& dir, std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = hashed_.find(dir);
  if (it == hashed_.end()) return Place{owner, dir};
  const proto::DirShard& s = it->second[shard_of_name(name, static_cast<uint32_t>(it->second.size()))];
  return Place{s.owner(), EntryId::from_proto(s.id())};
}

std::vector<proto::DirShard> MetaClient::shards_of(const EntryId& dir) {
  std::lock_guard lock(mutex_);
  auto it = hashed_.find(dir);
  return it == hashed_.end() ? std::vector<proto::DirShard>() : it->second;
}

void MetaClient::learn(const proto::EntryInfo& info) {
  if (info.shards_size() == 0) return;
  // A directory's shards never change once set, so this never goes stale.
  std::lock_guard lock(mutex_);
  hashed_.try_emplace(EntryId::from_proto(info.attr().id()), info.shards().begin(), info.shards().end());
}

bool MetaClient::relearn(uint32_t owner, const EntryId& dir) {
  auto info = getattr(owner, dir);
  return info && info->shards_size() > 0;
}

Result<proto::EntryInfo> MetaClient::lookup(uint32_t owner, const EntryId& parent, const std::string& name) {
  return at_name(owner, parent, name, [&](const Place& p) -> Result<proto::EntryInfo> {
    proto::LookupRequest req;
    p.dir.to_proto(req.mutable_parent());
    req.set_name(name);
    auto resp = COMBFS_TRY(send(p.owner, req));
    return complete(std::move(*resp.mutable_info()));
  });
}

Result<proto::EntryInfo> MetaClient::complete(proto::EntryInfo info) {
  if (!info.partial()) {
    learn(info);
    return info;
  }
  // The name lives with its directory, the entry on its own metad.
  return getattr(info.attr().owner_node(), EntryId::from_proto(info.attr().id()));
}

Result<proto::EntryInfo> MetaClient::getattr(uint32_t owner, const EntryId& id) {
  proto::GetAttrRequest req;
  id.to_proto(req.mutable_id());
  auto resp = COMBFS_TRY(send(owner, req));
  learn(resp.info());
  if (resp.info().shards_size() > 0) merge_shard_times(*resp.mutable_info());
  return std::move(*resp.mutable_info());
}

void MetaClient::merge_shard_times(proto::EntryInfo& info) {
  std::vector<std::future<Result<rpc::RawReply>>> calls;
  for (const auto& s : info.shards()) {
    auto ep = cluster_.meta_endpoint(s.owner());
    if (!ep) continue;  // best effort: the directory's own times still answer stat
    proto::GetAttrRequest get;
    *get.mutable_id() = s.id();
    calls.push_back(cluster_.rpc().start(*ep, get));
  }
  auto* a = info.mutable_attr();
  for (auto& call : calls) {
    auto got = rpc::RpcClient::finish<proto::GetAttrRequest>(call);
    if (!got) continue;  // a shard's metad is down: stat does not fail for it
    a->set_mtime_ns(std::max(a->mtime_ns(), got->info().attr().mtime_ns()));
    a->set_ctime_ns(std::max(a->ctime_ns(), got->info().attr().ctime_ns()));
  }
}

Result<proto::EntryInfo> MetaClient::setattr(uint32_t owner, const proto::SetAttrRequest& req) {
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_info());
}

Result<proto::CreateResponse> MetaClient::create(uint32_t owner, const proto::CreateRequest& req) {
  return at_name(owner, EntryId::from_proto(req.parent()), req.name(), [&](const Place& p) {
    proto::CreateRequest r = req;
    p.dir.to_proto(r.mutable_parent());
    return send(p.owner, r);
  });
}

Result<proto::EntryInfo> MetaClient::mkdir(uint32_t owner, const proto::MkDirRequest& req) {
  return at_name(owner, EntryId::from_proto(req.parent()), req.name(), [&](const Place& p) -> Result<proto::EntryInfo> {
    proto::MkDirRequest r = req;
    p.dir.to_proto(r.mutable_parent());
    auto resp = COMBFS_TRY(send(p.owner, r));
    learn(resp.info());
    return std::move(*resp.mutable_info());
  });
}

Result<void> MetaClient::rmdir(uint32_t owner, const EntryId& parent, const std::string& name) {
  return at_name(owner, parent, name, [&](const Place& p) -> Result<void> {
    proto::RmDirRequest req;
    p.dir.to_proto(req.mutable_parent());
    req.set_name(name);
    COMBFS_CHECK(send(p.owner, req));
    return {};
  });
}

Result<void> MetaClient::unlink(uint32_t owner, const EntryId& parent, const std::string& name) {
  return at_name(owner, parent, name, [&](const Place& p) -> Result<void> {
    proto::UnlinkRequest req;
    p.dir.to_proto(req.mutable_parent());
    req.set_name(name);
    COMBFS_CHECK(send(p.owner, req));
    return {};
  });
}

Result<void> MetaClient::rename(uint32_t owner, const proto::RenameRequest& req) {
  const EntryId src_dir = EntryId::from_proto(req.src_parent());
  const EntryId dst_dir = EntryId::from_proto(req.dst_parent());
  const uint32_t dst_owner = req.dst_owner() ? req.dst_owner() : owner;
  for (int attempt = 0;; ++attempt) {
    // Each name at its shard: within one hashed directory this is a rename
    // between two shards (directories) like any other.
    Place src = place_of(owner, src_dir, req.src_name());
    Place dst = place_of(dst_owner, dst_dir, req.dst_name());
    proto::RenameRequest r = req;
    src.dir.to_proto(r.mutable_src_parent());
    dst.dir.to_proto(r.mutable_dst_parent());
    r.set_dst_owner(real_node(dst.owner));
    auto done = send(src.owner, r);
    if (done) return {};
    if (done.error().code() != proto::META_HASHED_DIR || attempt > 0) return std::unexpected(done.error());
    // One of the directories is hashed and we did not know it.
    bool learned = relearn(owner, src_dir);
    learned |= dst_dir != src_dir && relearn(dst_owner, dst_dir);
    if (!learned) return std::unexpected(done.error());
  }
}

Result<proto::EntryInfo> MetaClient::sethash(uint32_t owner, const EntryId& id, uint32_t shards) {
  proto::SetHashRequest req;
  id.to_proto(req.mutable_id());
  req.set_shards(shards);
  auto resp = COMBFS_TRY(send(owner, req));
  learn(resp.info());
  return std::move(*resp.mutable_info());
}

Result<proto::ReadDirResponse> MetaClient::readdir(uint32_t owner, const EntryId& dir, uint64_t cookie,
                                                   uint32_t max_entries, bool plus) {
  auto shards = shards_of(dir);
  if (shards.empty()) {
    auto plain = readdir_one(owner, dir, cookie, max_entries, plus);
    if (plain || plain.error().code() != proto::META_HASHED_DIR || !relearn(owner, dir)) return plain;
    // Hashed since we last looked: it was empty then, so any cookie we gave
    // out for it so far lies at the start of shard 0.
    shards = shards_of(dir);
  }
  return readdir_merged(shards, cookie, max_entries, plus);
}

Result<proto::ReadDirResponse> MetaClient::readdir_merged(const std::vector<proto::DirShard>& shards,
                                                          uint64_t cookie, uint32_t max_entries, bool plus) {
  return merged_readdir(static_cast<uint32_t>(shards.size()), cookie,
                        max_entries ? max_entries : kMergedReadDirEntries,
                        [&](uint32_t i, uint64_t from, uint32_t room) {
                          return readdir_one(shards[i].owner(), EntryId::from_proto(shards[i].id()), from, room, plus);
                        });
}

Result<proto::ReadDirResponse> MetaClient::readdir_one(uint32_t owner, const EntryId& dir, uint64_t cookie,
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
      if (got) {
        learn(got->info());
        *info = std::move(*got->mutable_info());
      }
      else if (got.error().code() == proto::META_NOT_FOUND)
        vanished = true;  // removed since the listing: left out below
      else if (failed)
        failed = std::unexpected(got.error());
    }
    if (!failed) return std::unexpected(failed.error());
    for (const auto& e : resp.entries()) learn(e.info());
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
  return at_name(owner, EntryId::from_proto(req.parent()), req.name(), [&](const Place& p) -> Result<proto::EntryInfo> {
    proto::SymlinkRequest r = req;
    p.dir.to_proto(r.mutable_parent());
    auto resp = COMBFS_TRY(send(p.owner, r));
    return std::move(*resp.mutable_info());
  });
}

Result<std::string> MetaClient::readlink(uint32_t owner, const EntryId& id) {
  proto::ReadLinkRequest req;
  id.to_proto(req.mutable_id());
  auto resp = COMBFS_TRY(send(owner, req));
  return std::move(*resp.mutable_target());
}

Result<proto::EntryInfo> MetaClient::link(uint32_t owner, const EntryId& id, const EntryId& new_parent,
                                          const std::string& new_name, uint32_t id_owner) {
  // The file's metad by its real id: a hashed directory sends to its shard's.
  const uint32_t stored = real_node(id_owner ? id_owner : owner);
  return at_name(owner, new_parent, new_name, [&](const Place& p) -> Result<proto::EntryInfo> {
    proto::LinkRequest req;
    id.to_proto(req.mutable_id());
    p.dir.to_proto(req.mutable_new_parent());
    req.set_new_name(new_name);
    req.set_owner(stored);
    auto resp = COMBFS_TRY(send(p.owner, req));
    return std::move(*resp.mutable_info());
  });
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
