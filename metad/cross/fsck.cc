#include "metad/cross/fsck.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

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

std::string where(const Name& n) {
  return fmt::format("'{}' in directory {} on metad {}", n.name, n.parent.to_string(), n.node);
}

}  // namespace

std::vector<std::string> check_namespace(const std::vector<MetaStore::Snapshot>& metads, uint32_t root_owner) {
  std::vector<std::string> problems;
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
        problems.push_back(fmt::format("{} names {} on metad {}, which does not exist there", where(here),
                                       d.child.to_string(), child_node));
        continue;
      }
      if (child->second->type != d.child_type)
        problems.push_back(fmt::format("{} names {} as type {}, but it has type {}", where(here), d.child.to_string(),
                                       static_cast<int>(d.child_type), static_cast<int>(child->second->type)));
      names[{child_node, d.child}].push_back(here);
      if (d.child_type == proto::FT_DIR) subdirs[{m.node, d.parent}]++;
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
        if (n.nlink != want) problems.push_back(fmt::format("{} has link count {}, expected {}", what, n.nlink, want));
        if (n.id == EntryId::root()) {
          if (m.node != root_owner) problems.push_back(fmt::format("the root is on metad {}, not on its owner {}", m.node, root_owner));
          if (!named.empty()) problems.push_back(fmt::format("the root is named {}", where(named.front())));
          continue;
        }
        if (named.size() != 1) {
          problems.push_back(named.empty() ? fmt::format("{} has no name (leaked)", what)
                                           : fmt::format("{} has {} names, e.g. {}", what, named.size(), where(named.front())));
          continue;
        }
        const uint32_t parent_node = n.parent_owner ? n.parent_owner : m.node;
        if (named.front().node != parent_node || named.front().parent != n.parent)
          problems.push_back(fmt::format("{} is named {} but its '..' is {} on metad {}", what, where(named.front()),
                                         n.parent.to_string(), parent_node));
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
      for (const auto& nm : elsewhere)
        if (!rows.contains(nm)) problems.push_back(fmt::format("{} is named {} without a remote-name row", what, where(nm)));
      for (const auto& nm : rows)
        if (!elsewhere.contains(nm)) problems.push_back(fmt::format("{} has a remote-name row for {}, which does not name it", what, where(nm)));
      const uint32_t want = local + static_cast<uint32_t>(rows.size());
      if (n.orphan) {
        if (want != 0) problems.push_back(fmt::format("{} is an orphan but still named {}", what, where(named.front())));
        continue;
      }
      if (want == 0) problems.push_back(fmt::format("{} has no name (leaked)", what));
      if (n.nlink != want) problems.push_back(fmt::format("{} has link count {}, expected {}", what, n.nlink, want));
    }
  }
  return problems;
}

}  // namespace combfs::metad
