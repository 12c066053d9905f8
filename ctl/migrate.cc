// fsctl migrate DIR --to NODE: moves the whole subtree under DIR to metad NODE
// while clients keep using it (docs/metadata.md "Migration"). Directory by
// directory, top down: each MigrateDir goes to the directory's current owner,
// which moves it and answers with its subdirectories, which are moved next.
#include <fmt/format.h>

#include <deque>

#include "ctl/commands.h"

namespace combfs::ctl {
namespace {

struct MigrateOptions {
  std::string path;
  uint32_t to = 0;
};

Result<void> run(const MigrateOptions& o, const GlobalOptions& g) {
  auto l = COMBFS_TRY(locate(o.path, g));
  if (l.info.attr().type() != proto::FT_DIR)
    return error(proto::META_NOT_DIR, fmt::format("'{}' is not a directory: fsctl migrate moves directories", o.path));
  auto map = l.conn.cluster->map();
  auto node = map->nodes.find(o.to);
  if (node == map->nodes.end() || node->second.type() != proto::NODE_META)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("node {} is not a metad of this cluster ('fsctl listnodes' shows the metads)", o.to));

  std::deque<std::pair<EntryId, uint32_t>> todo{{l.where.entry, l.owner}};
  uint32_t dirs = 0, moved_dirs = 0, entries = 0;
  while (!todo.empty()) {
    auto [dir, owner] = todo.front();
    todo.pop_front();
    proto::MigrateDirRequest req;
    dir.to_proto(req.mutable_dir());
    req.set_to(o.to);
    req.set_reason(fmt::format("fsctl migrate {}", o.path));
    auto resp = l.conn.meta->call(owner, req);
    if (!resp)
      return error(resp.error().code(),
                   fmt::format("moving directory {} from metad {} to metad {} failed after {} of the subtree's "
                               "directories moved: {} (what moved stays moved; run the command again to move the rest)",
                               dir.to_string(), owner, o.to, moved_dirs, resp.error().message()));
    ++dirs;
    if (!resp->already_there()) {
      ++moved_dirs;
      entries += resp->moved_entries();
      fmt::print("moved directory {} ({} entries) from metad {} to metad {}\n", dir.to_string(),
                 resp->moved_entries(), owner, o.to);
    }
    for (const auto& s : resp->subdirs()) todo.emplace_back(EntryId::from_proto(s.id()), s.owner());
  }
  fmt::print("{}: {} of {} directories moved to metad {} ({} entries); the others were there already\n", o.path,
             moved_dirs, dirs, o.to, entries);
  return {};
}

}  // namespace

Command add_migrate(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("migrate", "move a directory and everything below it to another metad, online");
  auto o = std::make_shared<MigrateOptions>();
  sub->add_option("DIR", o->path, "a directory on a combfs mount")->required();
  sub->add_option("--to", o->to, "node id of the metad to move it to (see 'fsctl listnodes')")->required();
  return Command{sub, [o, &g] { return run(*o, g); }};
}

}  // namespace combfs::ctl
