// MetaFsck (fsctl fsck --metadata [--repair]): gathers a snapshot of every
// metad in the cluster map (RemoteSnapshot), checks them together
// (metad/cross/fsck.h) and, with repair, sends each metad the repairs of its
// rows (RemoteRepair). The snapshots are taken one after the other, so a
// check of a busy cluster can report an operation that was in flight; run it
// when the namespace is quiet, or run it again.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "metad/cross/cross.h"
#include "metad/cross/fsck.h"
#include "metad/cross/snapshot_wire.h"
#include "metad/ops/ops.h"

namespace combfs::metad::ops {

namespace {

// All rows of metad `id`, page by page.
Result<MetaStore::Snapshot> fetch_snapshot(Cross& cross, uint32_t id) {
  proto::RemoteSnapshotRequest req;
  req.set_max_rows(kSnapshotPageRows);
  req.set_first(true);
  MetaStore::Snapshot snap;
  for (;;) {
    auto page = cross.peers().call(id, req);
    if (!page)
      return error(page.error().code(), fmt::format("cannot read the rows of metad {} ({}); the check needs every metad "
                                                    "of the cluster: start it and try again",
                                                    id, page.error().message()));
    if (req.first())
      snap = snapshot_from_wire(*page);
    else
      append_snapshot(snap, snapshot_from_wire(*page));
    if (!page->more()) return snap;
    req.set_first(false);
    *req.mutable_inodes_after() = page->inodes_after();
    req.set_dentries_after(page->dentries_after());
  }
}

}  // namespace

Result<proto::MetaFsckResponse> meta_fsck(OpsContext& ctx, const proto::MetaFsckRequest& req) {
  if (!ctx.cross) return error(proto::NOT_SUPPORTED, "this metad runs without peers (test setup): it cannot check the cluster");
  auto map = COMBFS_TRY(ctx.fresh_cluster_map ? ctx.fresh_cluster_map() : ctx.cluster_map());
  auto slot = ctx.cross->try_slot();
  if (!slot) return error(Cross::busy());

  std::vector<MetaStore::Snapshot> snaps;
  for (const auto& [id, node] : map->nodes) {
    if (node.type() != proto::NODE_META) continue;
    snaps.push_back(COMBFS_TRY(fetch_snapshot(*ctx.cross, id)));
  }
  FsckReport report = check_namespace_with_repairs(snaps, map->root_owner ? map->root_owner : ctx.store.node_id());

  proto::MetaFsckResponse resp;
  resp.set_metads(static_cast<uint32_t>(snaps.size()));
  for (const auto& p : report.problems) resp.add_problems(p);
  std::set<std::string> repairable;
  for (const auto& r : report.repairs) repairable.insert(r.problem());
  for (const auto& p : report.problems)
    if (!repairable.contains(p)) resp.add_unrepaired(p);
  if (!req.repair()) return resp;

  std::map<uint32_t, proto::RemoteRepairRequest> by_node;
  for (const auto& r : report.repairs) *by_node[r.on()].add_repairs() = r;
  for (const auto& [node, repairs] : by_node) {
    auto done = ctx.cross->peers().call(node, repairs);
    if (!done) {
      for (const auto& r : repairs.repairs()) resp.add_unrepaired(r.problem());
      spdlog::warn("fsck: cannot repair on metad {}: {}", node, done.error().to_string());
      continue;
    }
    for (const auto& a : done->applied()) resp.add_repaired(a);
    for (const auto& s : done->skipped())
      resp.add_unrepaired(fmt::format("{} (changed since the check: run fsck again)", s));
  }
  return resp;
}

}  // namespace combfs::metad::ops
