// fsctl getentryinfo PATH: where an entry lives, how its data is striped and
// (files) how many handles have it open for writing. A buddymirror file's
// layout names mirror groups; its targets are then each group's primary and
// secondary in the current map.
#include <fmt/format.h>

#include "buddy/route.h"
#include "ctl/commands.h"
#include "ctl/format.h"

namespace combfs::ctl {
namespace {

Result<void> run(const std::string& path, const GlobalOptions& g) {
  auto l = COMBFS_TRY(locate(path, g));
  const auto& a = l.info.attr();
  auto ep = l.conn.cluster->meta_endpoint(l.owner);
  fmt::print("Path: {}\n", path);
  fmt::print("EntryID: {}\n", EntryId::from_proto(a.id()).to_string());
  fmt::print("Type: {}\n", file_type_name(a.type()));
  fmt::print("Owner: metad {} ({})\n", l.owner, ep ? ep->to_string() : std::string("not in the cluster map"));
  if (a.type() == proto::FT_DIR) {
    const auto& p = l.info.dir_pattern();
    fmt::print("Stripe pattern: {}\n", pattern_name(p.type()));
    fmt::print("Chunk size: {}\n", format_exact_size(p.chunk_size()));
    fmt::print("Number of targets: {}\n", p.num_targets());
    fmt::print("Targets: (chosen at file creation)\n");
    if (l.info.shards_size() > 0) {
      fmt::print("Hashed: {} shards\n", l.info.shards_size());
      for (int i = 0; i < l.info.shards_size(); ++i)
        fmt::print("Shard {}: {} on metad {}\n", i, EntryId::from_proto(l.info.shards(i).id()).to_string(),
                   l.info.shards(i).owner());
    }
  } else if (l.info.has_layout() && l.info.layout().targets_size() > 0) {
    const auto& layout = l.info.layout();
    fmt::print("Stripe pattern: {}\n", pattern_name(layout.pattern().type()));
    fmt::print("Chunk size: {}\n", format_exact_size(layout.pattern().chunk_size()));
    fmt::print("Number of targets: {}\n", layout.targets_size());
    if (buddy::is_mirrored(layout)) {
      fmt::print("Mirror groups: {}\n", fmt::join(layout.targets(), " "));
      auto routes = COMBFS_TRY(l.conn.cluster->routes(layout));
      std::vector<uint32_t> primaries, secondaries;
      for (const auto& r : routes) {
        primaries.push_back(r.target);
        secondaries.push_back(r.secondary);
      }
      fmt::print("Targets: {}\n", fmt::join(primaries, " "));
      fmt::print("Secondary targets: {}\n", fmt::join(secondaries, " "));
    } else {
      fmt::print("Targets: {}\n", fmt::join(layout.targets(), " "));
    }
    // Handles open for writing on all clients; metad counts a dead client's
    // as closed once its lease runs out.
    fmt::print("Open writers: {}\n", a.open_writers());
  } else {
    // Symlinks and special files hold no data.
    fmt::print("Stripe pattern: none\n");
    fmt::print("Chunk size: -\n");
    fmt::print("Number of targets: 0\n");
    fmt::print("Targets: (none)\n");
  }
  return {};
}

}  // namespace

Command add_getentryinfo(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("getentryinfo", "show an entry's id, owner and stripe pattern");
  auto path = std::make_shared<std::string>();
  sub->add_option("PATH", *path, "a file, directory or symlink on a combfs mount")->required();
  return Command{sub, [path, &g] { return run(*path, g); }};
}

}  // namespace combfs::ctl
