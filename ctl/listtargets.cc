// fsctl listtargets: every storage target with its state and capacity.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "ctl/commands.h"
#include "ctl/format.h"

namespace combfs::ctl {
namespace {

Result<void> run(const GlobalOptions& g) {
  auto conn = COMBFS_TRY(connect(g));
  auto map = conn.cluster->map();
  struct Row {
    std::string target, node, state, consistency, free, total, path;
  };
  std::vector<Row> rows{{"TARGET", "NODE", "STATE", "CONSISTENCY", "FREE", "TOTAL", "PATH"}};
  for (const auto& [id, t] : map->targets)
    rows.push_back(Row{std::to_string(id), std::to_string(t.node_id()), reach_name(t.reach()),
                       consistency_name(t.consistency()), format_human_size(t.free_bytes()),
                       format_human_size(t.total_bytes()), t.path()});
  size_t w[6] = {};
  for (const auto& r : rows) {
    const std::string* cols[6] = {&r.target, &r.node, &r.state, &r.consistency, &r.free, &r.total};
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], cols[i]->size());
  }
  for (const auto& r : rows)
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", r.target, w[0], r.node, w[1], r.state, w[2],
               r.consistency, w[3], r.free, w[4], r.total, w[5], r.path);
  return {};
}

}  // namespace

Command add_listtargets(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("listtargets", "list storage targets with state and capacity");
  return Command{sub, [&g] { return run(g); }};
}

}  // namespace combfs::ctl
