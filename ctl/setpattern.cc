// fsctl setpattern: the stripe pattern new files in a directory inherit.
#include <fmt/format.h>

#include "ctl/commands.h"
#include "ctl/format.h"
#include "striping/striping.h"

namespace combfs::ctl {
namespace {

struct Args {
  std::string dir;
  uint32_t num_targets = 0;
  std::string chunk_size;
  std::string type = "raid0";
};

Result<void> run(const Args& args, const GlobalOptions& g) {
  proto::StripePattern pattern;
  if (args.type == "raid0")
    pattern.set_type(proto::PATTERN_RAID0);
  else if (args.type == "buddymirror")
    pattern.set_type(proto::PATTERN_BUDDYMIRROR);
  else
    return error(proto::INVALID_ARGUMENT, fmt::format("unknown pattern type '{}'; use raid0 or buddymirror", args.type));

  auto l = COMBFS_TRY(locate(args.dir, g));
  if (l.info.attr().type() != proto::FT_DIR)
    return error(proto::META_NOT_DIR,
                 fmt::format("'{}' is not a directory; stripe patterns are set on directories and inherited by new "
                             "files",
                             args.dir));
  const auto& current = l.info.dir_pattern();
  uint64_t chunk = current.chunk_size() ? current.chunk_size() : striping::kDefaultChunkSize;
  if (!args.chunk_size.empty()) chunk = COMBFS_TRY(parse_size(args.chunk_size));
  uint32_t targets = args.num_targets ? args.num_targets
                                      : (current.num_targets() ? current.num_targets() : striping::kDefaultNumTargets);
  if (chunk > UINT32_MAX)
    return error(proto::INVALID_ARGUMENT, fmt::format("chunk size {} is larger than 512M", args.chunk_size));
  COMBFS_CHECK(striping::validate(striping::Pattern{static_cast<uint32_t>(chunk), targets}));
  pattern.set_chunk_size(static_cast<uint32_t>(chunk));
  pattern.set_num_targets(targets);
  pattern.set_pool_id(current.pool_id());

  auto updated = COMBFS_TRY(l.conn.meta->set_pattern(l.owner, EntryId::from_proto(l.info.attr().id()), pattern));
  // New files of a hashed directory are created in its shards: they inherit from there.
  for (const auto& s : l.info.shards())
    COMBFS_CHECK(l.conn.meta->set_pattern(s.owner(), EntryId::from_proto(s.id()), pattern));
  const auto& p = updated.dir_pattern().chunk_size() ? updated.dir_pattern() : pattern;
  fmt::print("Stripe pattern of {}: {}, chunk size {}, {} {}\n", args.dir, pattern_name(p.type()),
             format_exact_size(p.chunk_size()), p.num_targets(),
             p.type() == proto::PATTERN_BUDDYMIRROR ? "mirror groups" : "targets");
  return {};
}

}  // namespace

Command add_setpattern(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("setpattern", "set the stripe pattern that new files in a directory inherit");
  auto args = std::make_shared<Args>();
  sub->add_option("--numtargets", args->num_targets, "number of storage targets per file (buddymirror: mirror groups)")
      ->check(CLI::Range(1u, 65535u));
  sub->add_option("--chunksize", args->chunk_size, "chunk size: 64K to 512M, a power of two (e.g. 512K, 1M, 4M)");
  sub->add_option("--type", args->type, "raid0 (default) or buddymirror");
  sub->add_option("DIR", args->dir, "a directory on a combfs mount")->required();
  return Command{sub, [args, &g]() -> Result<void> {
                   if (args->num_targets == 0 && args->chunk_size.empty() && args->type == "raid0")
                     return error(proto::INVALID_ARGUMENT, "nothing to set: give --numtargets and/or --chunksize");
                   return run(*args, g);
                 }};
}

}  // namespace combfs::ctl
