// fsctl mkdir [--hashed K] DIR: creates a directory; with --hashed its entries
// are spread over K shards on different metads by a hash of the name
// (docs/metadata.md, "Hashed directories").
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/commands.h"
#include "ctl/format.h"

namespace combfs::ctl {
namespace {

struct Args {
  std::string dir;
  uint32_t hashed = 0;
};

Result<void> run(const Args& args, const GlobalOptions& g) {
  auto [parent, name] = split_dir(args.dir);
  if (name.empty() || name == "." || name == "..")
    return error(proto::INVALID_ARGUMENT, fmt::format("'{}' does not name a new directory", args.dir));
  auto l = COMBFS_TRY(locate(parent, g));
  if (l.info.attr().type() != proto::FT_DIR)
    return error(proto::META_NOT_DIR, fmt::format("'{}' is not a directory", parent));
  const mode_t mask = umask(0);
  umask(mask);
  proto::MkDirRequest r;
  *r.mutable_parent() = l.info.attr().id();
  r.set_name(name);
  r.set_mode(S_IFDIR | (0777 & ~mask));
  r.set_uid(getuid());
  r.set_gid(getgid());
  r.set_hash_shards(args.hashed);
  auto info = COMBFS_TRY(l.conn.meta->mkdir(l.owner, r));
  fmt::print("Created {}: {} on metad {}", args.dir, EntryId::from_proto(info.attr().id()).to_string(),
             info.attr().owner_node());
  if (info.shards_size() > 0) fmt::print(", hashed over {} shards ({})", info.shards_size(), shard_nodes(info));
  fmt::print("\n");
  return {};
}

}  // namespace

Command add_mkdir(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("mkdir", "create a directory, optionally hashed over several metads");
  auto args = std::make_shared<Args>();
  sub->add_option("--hashed", args->hashed,
                  "spread the directory's entries over K shards on different metads (2 to 64), for directories "
                  "with very many entries")
      ->check(CLI::Range(2u, 64u));
  sub->add_option("DIR", args->dir, "the new directory on a combfs mount")->required();
  return Command{sub, [args, &g] { return run(*args, g); }};
}

}  // namespace combfs::ctl
