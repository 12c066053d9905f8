#include "metad/cross/fsck.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "client/lib/dir_hash.h"
#include "metad/store/journal_steps.h"

namespace combfs::metad {

namespace {

struct Name {
  uint32_t node;
  EntryId parent;
  std::string name;
  auto operator<=>(const Name&) const = default;
};

using Key = std::pair<uint32_t, EntryId>;  // (metad, entry)

// Where a shard belongs: its hashed directory and its index there.
struct ShardPos {
  Key dir;
  uint32_t index = 0;
  uint32_t count = 0;
};

std::string where(const Name& n) {
  return fmt::format("'{}' in directory {} on metad {}", n.name, n.parent.to_string(), n.node);
}

}  // namespace

std::vector<std::string> check_namespace(const std::vector<MetaStore::Snapshot>& metads, uint32_t root_owner) {
  return check_namespace_with_repairs(metads, root_owner).problems;
}

namespace {

// Adds the problem `text` and the repair `r` (on metad `on`) that fixes it.
proto::MetaRepair& add_repair(FsckReport& report, proto::MetaRepairKind kind, uint32_t on, EntryId id, std::string text) {
  report.problems.push_back(text);
  auto& r = report.repairs.emplace_back();
  r.set_kind(kind);
  r.set_on(on);
  id.to_proto(r.mutable_id());
  r.set_problem(std::move(text));
  return r;
}

}  // namespace

FsckReport check_namespace_with_repairs(const std::vector<MetaStore::Snapshot>& metads, uint32_t root_owner) {
  FsckReport report;
  std::vector<std::string>& problems = report.problems;
  std::map<Key, const Inode*> inodes;
  std::map<EntryId, uint32_t> stored_on;
  for (const auto& m : metads) {
    for (const auto& n : m.inodes) {
      inodes[{m.node, n.id}] = &n;
      auto [it, fresh] = stored_on.emplace(n.id, m.node);
      if (!fresh)
        problems.push_back(fmt::format("entry {} is stored on metad {} and on metad {}", n.id.to_string(), it->second, m.node));
    }
    if (!m.journal.empty())
      problems.push_back(fmt::format("metad {} has {} unfinished journal records (first: {})", m.node, m.journal.size(),
                                     describe(m.journal.front().second)));
  }

  std::map<Key, std::vector<Name>> names;  // inode -> the dentries naming it
  std::map<Key, uint32_t> subdirs;         // directory -> dentries of directories in it
  for (const auto& m : metads) {
    for (const auto& d : m.dentries) {
      Name here{m.node, d.parent, d.name};
      auto parent = inodes.find({m.node, d.parent});
      if (parent == inodes.end() || !parent->second->is_dir())
        problems.push_back(fmt::format("{}: the directory is not stored on that metad", where(here)));
      const uint32_t child_node = d.child_owner ? d.child_owner : m.node;
      auto child = inodes.find({child_node, d.child});
      if (child == inodes.end()) {
        auto& r = add_repair(report, proto::REPAIR_DELETE_DENTRY, m.node, d.child,
                             fmt::format("{} names {} on metad {}, which does not exist there", where(here),
                                         d.child.to_string(), child_node));
        d.parent.to_proto(r.mutable_parent());
        r.set_name(d.name);
        continue;
      }
      if (child->second->type != d.child_type)
        problems.push_back(fmt::format("{} names {} as type {}, but it has type {}", where(here), d.child.to_string(),
                                       static_cast<int>(d.child_type), static_cast<int>(child->second->type)));
      names[{child_node, d.child}].push_back(here);
      if (d.child_type == proto::FT_DIR) subdirs[{m.node, d.parent}]++;
    }
  }

  // Shards of hashed directories: named by their directory's shard list
  // (once), holding exactly the names that hash to them.
  std::map<Key, ShardPos> shard_of;
  for (const auto& m : metads)
    for (const auto& n : m.inodes)
      for (uint32_t i = 0; i < n.shards.size(); ++i) {
        const auto& [shard, node] = n.shards[i];
        const Key dir{m.node, n.id};
        auto [it, fresh] = shard_of.emplace(Key{node, shard}, ShardPos{dir, i, static_cast<uint32_t>(n.shards.size())});
        if (!fresh)
          problems.push_back(fmt::format("shard {} on metad {} is listed twice (by hashed directory {} and {})",
                                         shard.to_string(), node, it->second.dir.second.to_string(), n.id.to_string()));
        auto sh = inodes.find({node, shard});
        if (sh == inodes.end() || !sh->second->is_dir())
          problems.push_back(fmt::format("hashed directory {} on metad {} lists shard {} on metad {}, which is not a "
                                         "directory there",
                                         n.id.to_string(), m.node, shard.to_string(), node));
      }
  for (const auto& m : metads)
    for (const auto& d : m.dentries) {
      if (auto dir = inodes.find({m.node, d.parent}); dir != inodes.end() && !dir->second->shards.empty())
        problems.push_back(fmt::format("'{}' is in hashed directory {} itself instead of one of its shards", d.name,
                                       d.parent.to_string()));
      if (auto sh = shard_of.find({m.node, d.parent}); sh != shard_of.end()) {
        const uint32_t want = client::shard_of_name(d.name, sh->second.count);
        if (want != sh->second.index)
          problems.push_back(fmt::format("'{}' is in shard {} of hashed directory {}, but its name hashes to shard {}",
                                         d.name, sh->second.index, sh->second.dir.second.to_string(), want));
      }
    }

  std::map<Key, std::set<Name>> remote_rows;
  for (const auto& m : metads)
    for (const auto& r : m.remote_names) remote_rows[{m.node, r.id}].insert(Name{r.node, r.parent, r.name});

  for (const auto& m : metads) {
    for (const auto& n : m.inodes) {
      const Key key{m.node, n.id};
      const auto& named = names[key];
      const std::string what = fmt::format("{} {} on metad {}", n.is_dir() ? "directory" : "entry", n.id.to_string(), m.node);
      if (n.state != Inode::kNormal)
        problems.push_back(fmt::format("{} is still {}", what, n.state == Inode::kPending ? "pending (mkdir not finished)"
                                                                                           : "being removed"));
      if (n.is_dir()) {
        uint32_t want = 2 + subdirs[key];
        if (n.nlink != want) {
          auto& r = add_repair(report, proto::REPAIR_SET_NLINK, m.node, n.id,
                               fmt::format("{} has link count {}, expected {}", what, n.nlink, want));
          r.set_nlink(want);
          r.set_expect_nlink(n.nlink);
        }
        if (n.id == EntryId::root()) {
          if (m.node != root_owner) problems.push_back(fmt::format("the root is on metad {}, not on its owner {}", m.node, root_owner));
          if (!named.empty()) problems.push_back(fmt::format("the root is named {}", where(named.front())));
          continue;
        }
        if (auto sh = shard_of.find(key); sh != shard_of.end()) {
          const uint32_t parent_node = n.parent_owner ? n.parent_owner : m.node;
          if (!named.empty()) problems.push_back(fmt::format("shard {} is also named {}", what, where(named.front())));
          if (sh->second.dir != Key{parent_node, n.parent})
            problems.push_back(fmt::format("shard {} has '..' {} on metad {}, not its hashed directory", what,
                                           n.parent.to_string(), parent_node));
          continue;
        }
        if (named.size() != 1) {
          problems.push_back(named.empty() ? fmt::format("{} has no name (leaked)", what)
                                           : fmt::format("{} has {} names, e.g. {}", what, named.size(), where(named.front())));
          continue;
        }
        const uint32_t parent_node = n.parent_owner ? n.parent_owner : m.node;
        if (named.front().node != parent_node || named.front().parent != n.parent) {
          auto& r = add_repair(report, proto::REPAIR_SET_PARENT, m.node, n.id,
                               fmt::format("{} is named {} but its '..' is {} on metad {}", what,
                                           where(named.front()), n.parent.to_string(), parent_node));
          named.front().parent.to_proto(r.mutable_parent());
          r.set_node(named.front().node == m.node ? 0 : named.front().node);
        }
        continue;
      }
      // Non-directories: local names here, names elsewhere matched by remote-name rows.
      uint32_t local = 0;
      std::set<Name> elsewhere;
      for (const auto& nm : named) {
        if (nm.node == m.node)
          ++local;
        else
          elsewhere.insert(nm);
      }
      const auto& rows = remote_rows[key];
      auto row_repair = [&](proto::MetaRepairKind kind, const Name& nm, std::string text) {
        auto& r = add_repair(report, kind, m.node, n.id, std::move(text));
        r.set_node(nm.node);
        nm.parent.to_proto(r.mutable_parent());
        r.set_name(nm.name);
      };
      for (const auto& nm : elsewhere)
        if (!rows.contains(nm))
          row_repair(proto::REPAIR_ADD_REMOTE_NAME, nm,
                     fmt::format("{} is named {} without a remote-name row", what, where(nm)));
      for (const auto& nm : rows)
        if (!elsewhere.contains(nm))
          row_repair(proto::REPAIR_DELETE_REMOTE_NAME, nm,
                     fmt::format("{} has a remote-name row for {}, which does not name it", what, where(nm)));
      // What the link count must be once the rows match the names.
      const uint32_t want = local + static_cast<uint32_t>(elsewhere.size());
      if (n.orphan) {
        if (want != 0) problems.push_back(fmt::format("{} is an orphan but still named {}", what, where(named.front())));
        continue;
      }
      if (want == 0) {
        problems.push_back(fmt::format("{} has no name (leaked)", what));
        continue;
      }
      if (n.nlink != want) {
        auto& r = add_repair(report, proto::REPAIR_SET_NLINK, m.node, n.id,
                             fmt::format("{} has link count {}, expected {}", what, n.nlink, want));
        r.set_nlink(want);
        r.set_expect_nlink(n.nlink);
      }
    }
  }
  return report;
}

}  // namespace combfs::metad
