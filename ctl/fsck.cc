// fsctl fsck --metadata [--repair]: checks the namespace over every metad
// (the invariants of docs/metadata.md "Checking") and optionally repairs what
// has a safe repair. The root's metad runs the check (MetaFsck): it reads
// every metad's rows over RPC, so fsctl can run on any node.
// Exit status: 0 when the namespace is (now) consistent, 1 otherwise.
#include <fmt/format.h>

#include "ctl/commands.h"

namespace combfs::ctl {
namespace {

// A check reads the whole namespace; give it far longer than a normal request.
constexpr std::chrono::minutes kFsckTimeout{10};

struct FsckOptions {
  bool metadata = false;
  bool repair = false;
};

Result<void> run(const FsckOptions& o, const GlobalOptions& g) {
  if (!o.metadata)
    return error(proto::INVALID_ARGUMENT, "say what to check: --metadata (the only check fsctl fsck has so far)");
  auto conn = COMBFS_TRY(connect(g));
  auto ep = COMBFS_TRY(conn.cluster->meta_endpoint(0));
  proto::MetaFsckRequest req;
  req.set_repair(o.repair);
  auto resp = COMBFS_TRY(conn.cluster->rpc().call(ep, req, {}, nullptr, kFsckTimeout));
  for (const auto& p : resp.problems()) fmt::print("problem: {}\n", p);
  for (const auto& r : resp.repaired()) fmt::print("repaired: {}\n", r);
  if (o.repair)
    for (const auto& u : resp.unrepaired()) fmt::print("not repaired: {}\n", u);
  if (resp.problems().empty()) {
    fmt::print("metadata of {} metads is consistent\n", resp.metads());
    return {};
  }
  if (!o.repair)
    return error(proto::IO_ERROR, fmt::format("{} problems found on {} metads ({} without an automatic repair); "
                                              "run 'fsctl fsck --metadata --repair' to repair them",
                                              resp.problems_size(), resp.metads(), resp.unrepaired_size()));
  if (!resp.unrepaired().empty())
    return error(proto::IO_ERROR, fmt::format("{} of {} problems are not repaired (listed above): they need a look "
                                              "by hand, or run fsck again if they changed meanwhile",
                                              resp.unrepaired_size(), resp.problems_size()));
  fmt::print("repaired {} problems on {} metads\n", resp.repaired_size(), resp.metads());
  return {};
}

}  // namespace

Command add_fsck(CLI::App& app, const GlobalOptions& g) {
  auto* sub = app.add_subcommand("fsck", "check the file system (so far: the metadata of every metad)");
  auto o = std::make_shared<FsckOptions>();
  sub->add_flag("--metadata", o->metadata, "check the namespace over every metad (names, inodes, link counts, '..')");
  sub->add_flag("--repair", o->repair, "also repair what can be repaired safely (see docs/metadata.md)");
  return Command{sub, [o, &g] { return run(*o, g); }};
}

}  // namespace combfs::ctl
