// fsctl listmigrations: every directory move (fsctl migrate, the balancer)
// that the metads logged, oldest first: each metad logs the moves it made as
// the source.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "ctl/commands.h"

namespace combfs::ctl {
namespace {

std::string utc(int64_t ns) {
  std::time_t t = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Result<void> run(const GlobalOptions& g) {
  auto conn = COMBFS_TRY(connect(g));
  auto map = conn.cluster->map();
  std::vector<proto::MigrationRecord> moves;
  for (const auto& [id, n] : map->nodes) {
    if (n.type() != proto::NODE_META) continue;
    auto resp = conn.meta->call(id, proto::ListMigrationsRequest());
    if (!resp)
      return error(resp.error().code(), fmt::format("cannot list the moves of metad {}: {} (is it running?)", id,
                                                    resp.error().message()));
    for (auto& m : *resp->mutable_moves()) moves.push_back(std::move(m));
  }
  std::stable_sort(moves.begin(), moves.end(),
                   [](const auto& a, const auto& b) { return a.time_ns() < b.time_ns(); });
  fmt::print("{:<19}  {:<33}  {:>4}  {:>4}  {:>7}  {}\n", "TIME (UTC)", "DIRECTORY", "FROM", "TO", "ENTRIES", "REASON");
  for (const auto& m : moves)
    fmt::print("{:<19}  {:<33}  {:>4}  {:>4}  {:>7}  {}\n", utc(m.time_ns()), EntryId::from_proto(m.dir()).to_string(),
               m.from(), m.to(), m.entries(), m.reason());
  return {};
}

}  // namespace

Command add_listmigrations(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("listmigrations", "list the directory moves between metads (fsctl migrate, balancer)");
  return Command{sub, [&g] { return run(g); }};
}

}  // namespace combfs::ctl
