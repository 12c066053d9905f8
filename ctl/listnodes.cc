// fsctl listnodes: every daemon registered with mgmtd, whether it is alive,
// and for metads how many entries (inodes) each stores, as of its last heartbeat.
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
    std::string id, type, addr, state, entries, note;
  };
  std::vector<Row> rows;
  bool mgmtd_listed = false;
  for (const auto& [id, n] : map->nodes) {
    mgmtd_listed |= n.type() == proto::NODE_MGMT;
    rows.push_back(Row{std::to_string(id), node_type_name(n.type()), fmt::format("{}:{}", n.host(), n.port()),
                       reach_name(n.reach()), n.type() == proto::NODE_META ? std::to_string(n.entries()) : "-",
                       id == map->root_owner ? "root" : ""});
  }
  // mgmtd need not register itself; it just answered, so it is online.
  if (!mgmtd_listed)
    rows.insert(rows.begin(), Row{"-", "mgmtd", conn.cluster->options().mgmtd.to_string(), "online", "-", ""});
  size_t addr_width = std::string("HOST:PORT").size();
  for (const auto& r : rows) addr_width = std::max(addr_width, r.addr.size());
  fmt::print("{:<2}  {:<7}  {:<{}}  {:<16}  {:>8}\n", "ID", "TYPE", "HOST:PORT", addr_width, "STATE", "ENTRIES");
  for (const auto& r : rows) {
    std::string line =
        fmt::format("{:<2}  {:<7}  {:<{}}  {:<16}  {:>8}", r.id, r.type, r.addr, addr_width, r.state, r.entries);
    if (!r.note.empty()) line += "  " + r.note;
    fmt::print("{}\n", line);
  }
  return {};
}

}  // namespace

Command add_listnodes(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("listnodes",
                                 "list the cluster's daemons with the entries each metad stores (the root metad is "
                                 "marked 'root')");
  return Command{sub, [&g] { return run(g); }};
}

}  // namespace combfs::ctl
