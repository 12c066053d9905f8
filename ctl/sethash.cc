// fsctl sethash K DIR: an empty directory becomes hashed over K shards
// (docs/metadata.md, "Hashed directories"). A directory with entries is
// refused: its names would have to move between metads.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/format.h"

namespace combfs::ctl {
namespace {

struct Args {
  uint32_t shards = 0;
  std::string dir;
};

Result<void> run(const Args& args, const GlobalOptions& g) {
  auto l = COMBFS_TRY(locate(args.dir, g));
  if (l.info.attr().type() != proto::FT_DIR)
    return error(proto::META_NOT_DIR, fmt::format("'{}' is not a directory", args.dir));
  auto info = COMBFS_TRY(l.conn.meta->sethash(l.owner, EntryId::from_proto(l.info.attr().id()), args.shards));
  fmt::print("{} is hashed over {} shards ({})\n", args.dir, info.shards_size(), shard_nodes(info));
  return {};
}

}  // namespace

Command add_sethash(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("sethash", "spread an empty directory's future entries over K metads");
  auto args = std::make_shared<Args>();
  sub->add_option("K", args->shards, "number of shards (2 to 64)")->required()->check(CLI::Range(2u, 64u));
  sub->add_option("DIR", args->dir, "an empty directory on a combfs mount")->required();
  return Command{sub, [args, &g] { return run(*args, g); }};
}

}  // namespace combfs::ctl
