#include "metad/cross/dir_placement.h"

#include <algorithm>
#include <vector>

namespace combfs::metad {

std::optional<DirPolicy> parse_dir_policy(const std::string& name) {
  if (name == "balanced") return DirPolicy::balanced;
  if (name == "parent") return DirPolicy::parent;
  if (name == "random") return DirPolicy::random;
  return std::nullopt;
}

const char* dir_policy_name(DirPolicy policy) {
  switch (policy) {
    case DirPolicy::balanced: return "balanced";
    case DirPolicy::parent: return "parent";
    case DirPolicy::random: return "random";
  }
  return "?";
}

std::vector<uint32_t> DirPlacement::candidates(const ClusterMap& map) const {
  std::vector<uint32_t> out{self_};
  for (const auto& [id, node] : map.nodes)
    if (id != self_ && node.type() == proto::NODE_META && node.reach() == proto::REACH_ONLINE) out.push_back(id);
  return out;
}

uint32_t DirPlacement::choose(const ClusterMap& map) {
  if (policy_ == DirPolicy::parent) return self_;
  std::vector<uint32_t> candidates = this->candidates(map);

  std::lock_guard lock(mutex_);
  if (candidates.size() == 1) return self_;
  if (policy_ == DirPolicy::random)
    return candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng_)];

  std::vector<uint32_t> best;
  uint64_t best_load = UINT64_MAX;
  for (uint32_t id : candidates) {
    auto it = map.nodes.find(id);
    uint64_t reported = it == map.nodes.end() ? 0 : it->second.entries();
    Seen& s = seen_[id];
    // A new figure from the node includes what we placed before it.
    if (s.reported != reported) s = Seen{reported, 0};
    uint64_t load = reported + s.placed;
    if (load < best_load) {
      best_load = load;
      best.clear();
    }
    if (load == best_load) best.push_back(id);
  }
  uint32_t chosen = best[std::uniform_int_distribution<size_t>(0, best.size() - 1)(rng_)];
  seen_[chosen].placed += 1;
  return chosen;
}


std::vector<uint32_t> DirPlacement::choose_shards(const ClusterMap& map, uint32_t count) {
  if (count == 0) return {};
  if (policy_ == DirPolicy::parent) return std::vector<uint32_t>(count, self_);
  std::vector<uint32_t> ring = candidates(map);
  std::sort(ring.begin(), ring.end());
  const uint32_t first = choose(map);
  size_t at = static_cast<size_t>(std::find(ring.begin(), ring.end(), first) - ring.begin());
  std::vector<uint32_t> out{first};
  std::lock_guard lock(mutex_);
  for (uint32_t i = 1; i < count; ++i) {
    out.push_back(ring[(at + i) % ring.size()]);
    seen_[out.back()].placed += 1;
  }
  return out;
}

}  // namespace combfs::metad
