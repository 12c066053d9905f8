#include "metad/cross/cross.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace combfs::metad {

Cross::Cross(MetaStore& store, ClusterMapSource map, ClusterMapSource fresh_map, CrossOptions options, uint64_t seed)
    : store_(store),
      map_(map),
      options_(std::move(options)),
      peers_(store, options_.rpc, map, std::move(fresh_map), options_.peer_timeout),
      journal_(store, peers_),
      placement_(options_.dir_policy, store.node_id(), seed) {}

std::optional<Cross::Slot> Cross::try_slot() {
  int n = waiting_.fetch_add(1);
  Slot slot(waiting_);
  if (n >= std::max(options_.max_waiting, 1)) return std::nullopt;  // ~Slot gives it back
  return slot;
}

Status Cross::busy() {
  return Status(proto::UNAVAILABLE, "metad is busy with operations that wait for other metads; try again");
}

bool Cross::crash_at(std::string_view point) {
  if (!options_.crash_point || !options_.crash_point(point)) return false;
  spdlog::warn("test crash point '{}' reached: stopping the operation here", point);
  return true;
}

void Cross::run_followups(const std::vector<int64_t>& seqs) {
  if (seqs.empty()) return;
  auto slot = try_slot();
  for (int64_t seq : seqs) {
    JournalRunner::Claim claim(journal_, seq);  // hands a record that is left to the worker
    if (!slot) continue;
    if (auto done = journal_.finish(seq); !done)
      spdlog::warn("journal record {}: steps on other metads failed (the worker retries): {}", seq,
                   done.error().to_string());
  }
}

}  // namespace combfs::metad
