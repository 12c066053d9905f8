// fsctl listmirrorgroups: every mirror group with its two targets and their state.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/format.h"

namespace combfs::ctl {
namespace {

std::string target_state(const ClusterMap& map, uint32_t id) {
  auto t = map.targets.find(id);
  if (t == map.targets.end()) return "unknown";
  return fmt::format("{}/{}", reach_name(t->second.reach()), consistency_name(t->second.consistency()));
}

uint32_t node_of(const ClusterMap& map, uint32_t id) {
  auto t = map.targets.find(id);
  return t == map.targets.end() ? 0 : t->second.node_id();
}

Result<void> run(const GlobalOptions& g) {
  auto conn = COMBFS_TRY(connect(g));
  auto map = conn.cluster->map();
  fmt::print("{:<6} {:<8} {:<6} {:<20} {:<10} {:<6} {}\n", "GROUP", "PRIMARY", "NODE", "STATE", "SECONDARY", "NODE",
             "STATE");
  for (const auto& [id, group] : map->mirror_groups)
    fmt::print("{:<6} {:<8} {:<6} {:<20} {:<10} {:<6} {}\n", id, group.primary(), node_of(*map, group.primary()),
               target_state(*map, group.primary()), group.secondary(), node_of(*map, group.secondary()),
               target_state(*map, group.secondary()));
  return {};
}

}  // namespace

Command add_listmirrorgroups(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("listmirrorgroups", "list mirror groups: each target pair and their states");
  return Command{sub, [&g] { return run(g); }};
}

}  // namespace combfs::ctl
