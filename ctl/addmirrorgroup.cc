// fsctl addmirrorgroup: pairs two targets of different nodes into a mirror
// group, or (--automatic) every target not in one yet (docs/mirroring.md).
#include <fmt/format.h>

#include <memory>

#include "ctl/commands.h"

namespace combfs::ctl {
namespace {

struct Args {
  uint32_t primary = 0;
  uint32_t secondary = 0;
  uint32_t group = 0;
  bool automatic = false;
};

Result<void> run(const GlobalOptions& g, const Args& args) {
  if (!args.automatic && (args.primary == 0 || args.secondary == 0))
    return error(proto::INVALID_ARGUMENT, "give --primary and --secondary target ids, or --automatic");
  auto conn = COMBFS_TRY(connect(g));
  proto::AddMirrorGroupRequest req;
  req.set_primary(args.primary);
  req.set_secondary(args.secondary);
  req.set_group_id(args.group);
  req.set_automatic(args.automatic);
  auto resp = COMBFS_TRY(conn.cluster->rpc().call(conn.cluster->mgmt().endpoint(), req));
  for (const auto& added : resp.added())
    fmt::print("mirror group {}: primary target {}, secondary target {}\n", added.id(), added.primary(),
               added.secondary());
  std::string unpaired;
  for (uint32_t t : resp.unpaired()) unpaired += (unpaired.empty() ? "" : ", ") + std::to_string(t);
  if (!unpaired.empty())
    fmt::print(stderr, "targets without a buddy of about their size on another node: {}\n", unpaired);
  if (resp.added_size() == 0)
    return error(proto::INVALID_ARGUMENT,
                 "no mirror group added: every target is in a group already or has no buddy; add targets on "
                 "another node and run it again");
  return {};
}

}  // namespace

Command add_addmirrorgroup(CLI::App& app, const GlobalOptions& g) {
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("addmirrorgroup", "pair two storage targets of different nodes into a mirror group");
  sub->add_option("--primary", args->primary, "target id that takes the writes (fsctl listtargets)");
  sub->add_option("--secondary", args->secondary, "target id of another node that keeps the second copy");
  sub->add_option("--group", args->group, "mirror group id (default: the next free one)");
  sub->add_flag("--automatic", args->automatic,
                "pair every target not in a group: different nodes, about equal sizes, primaries spread over nodes");
  sub->get_option("--automatic")->excludes(sub->get_option("--primary"))->excludes(sub->get_option("--secondary"));
  return Command{sub, [&g, args] { return run(g, *args); }};
}

}  // namespace combfs::ctl
