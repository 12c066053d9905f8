#include "metad/placement.h"

#include <fmt/format.h>

namespace combfs::metad {

Result<std::vector<uint32_t>> choose_targets(const std::map<uint32_t, proto::TargetInfo>& targets,
                                             const proto::StripePattern& pattern, std::mt19937_64& rng) {
  struct Candidate {
    uint32_t id;
    double weight;
  };
  std::vector<Candidate> candidates;
  size_t in_pool = 0;
  for (const auto& [id, t] : targets) {
    if (t.pool_id() != pattern.pool_id()) continue;
    ++in_pool;
    if (t.reach() != proto::REACH_ONLINE || t.consistency() != proto::CONS_GOOD) continue;
    candidates.push_back({id, static_cast<double>(t.free_bytes()) + 1.0});
  }
  if (candidates.empty())
    return error(proto::MGMT_NO_TARGETS,
                 fmt::format("no online storage target in pool {} ({} known in the pool, {} in the cluster): start "
                             "combfs-stored or check `fsctl listtargets`",
                             pattern.pool_id(), in_pool, targets.size()));

  const size_t want = std::min<size_t>(std::max<uint32_t>(pattern.num_targets(), 1), candidates.size());
  std::vector<uint32_t> chosen;
  chosen.reserve(want);
  // Weighted sampling without replacement: draw one, remove it, repeat.
  while (chosen.size() < want) {
    double total = 0;
    for (const auto& c : candidates) total += c.weight;
    double x = std::uniform_real_distribution<double>(0.0, total)(rng);
    size_t pick = candidates.size() - 1;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (x < candidates[i].weight) {
        pick = i;
        break;
      }
      x -= candidates[i].weight;
    }
    chosen.push_back(candidates[pick].id);
    candidates.erase(candidates.begin() + static_cast<long>(pick));
  }
  return chosen;
}

}  // namespace combfs::metad
