#include "metad/placement.h"

#include <fmt/format.h>

#include <optional>

namespace combfs::metad {

namespace {

struct Candidate {
  uint32_t id;
  double weight;
};

// Weighted sampling without replacement of min(num_targets, candidates) ids.
std::vector<uint32_t> pick(std::vector<Candidate> candidates, const proto::StripePattern& pattern,
                           std::mt19937_64& rng) {
  const size_t want = std::min<size_t>(std::max<uint32_t>(pattern.num_targets(), 1), candidates.size());
  std::vector<uint32_t> chosen;
  chosen.reserve(want);
  // Draw one, remove it, repeat.
  while (chosen.size() < want) {
    double total = 0;
    for (const auto& c : candidates) total += c.weight;
    double x = std::uniform_real_distribution<double>(0.0, total)(rng);
    size_t at = candidates.size() - 1;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (x < candidates[i].weight) {
        at = i;
        break;
      }
      x -= candidates[i].weight;
    }
    chosen.push_back(candidates[at].id);
    candidates.erase(candidates.begin() + static_cast<long>(at));
  }
  return chosen;
}

bool usable(const proto::TargetInfo& t) {
  return t.reach() == proto::REACH_ONLINE && t.consistency() == proto::CONS_GOOD;
}

struct Members {
  const proto::TargetInfo* primary;
  const proto::TargetInfo* secondary;
};

// Group g's two targets, when the map knows both and both are in `pool`.
std::optional<Members> members_in_pool(const std::map<uint32_t, proto::TargetInfo>& targets,
                                       const proto::MirrorGroupInfo& g, uint32_t pool) {
  auto p = targets.find(g.primary());
  auto s = targets.find(g.secondary());
  if (p == targets.end() || s == targets.end()) return std::nullopt;
  if (p->second.pool_id() != pool || s->second.pool_id() != pool) return std::nullopt;
  return Members{&p->second, &s->second};
}

}  // namespace

Result<std::vector<uint32_t>> choose_targets(const std::map<uint32_t, proto::TargetInfo>& targets,
                                             const proto::StripePattern& pattern, std::mt19937_64& rng) {
  std::vector<Candidate> candidates;
  size_t in_pool = 0;
  for (const auto& [id, t] : targets) {
    if (t.pool_id() != pattern.pool_id()) continue;
    ++in_pool;
    if (!usable(t)) continue;
    candidates.push_back({id, static_cast<double>(t.free_bytes()) + 1.0});
  }
  if (candidates.empty())
    return error(proto::MGMT_NO_TARGETS,
                 fmt::format("no online storage target in pool {} ({} known in the pool, {} in the cluster): start "
                             "combfs-stored or check `fsctl listtargets`",
                             pattern.pool_id(), in_pool, targets.size()));

  return pick(std::move(candidates), pattern, rng);
}

size_t groups_in_pool(const std::map<uint32_t, proto::TargetInfo>& targets,
                      const std::map<uint32_t, proto::MirrorGroupInfo>& groups, uint32_t pool) {
  size_t n = 0;
  for (const auto& [id, g] : groups)
    if (members_in_pool(targets, g, pool)) ++n;
  return n;
}

Result<std::vector<uint32_t>> choose_groups(const std::map<uint32_t, proto::TargetInfo>& targets,
                                            const std::map<uint32_t, proto::MirrorGroupInfo>& groups,
                                            const proto::StripePattern& pattern, std::mt19937_64& rng) {
  if (groups.empty())
    return error(proto::MGMT_NO_TARGETS,
                 "the cluster has no mirror groups, so buddymirror files cannot be placed: pair the storage targets "
                 "with `fsctl addmirrorgroup --automatic` (or --primary T1 --secondary T2)");
  std::vector<Candidate> candidates;
  for (const auto& [id, g] : groups) {
    auto m = members_in_pool(targets, g, pattern.pool_id());
    if (!m || !usable(*m->primary) || !usable(*m->secondary)) continue;
    candidates.push_back({id, static_cast<double>(std::min(m->primary->free_bytes(), m->secondary->free_bytes())) + 1.0});
  }
  if (candidates.empty())
    return error(proto::MGMT_NO_TARGETS,
                 fmt::format("no mirror group in pool {} has both targets online and good ({} groups in the pool, "
                             "{} in the cluster): check `fsctl listmirrorgroups`",
                             pattern.pool_id(), groups_in_pool(targets, groups, pattern.pool_id()), groups.size()));
  return pick(std::move(candidates), pattern, rng);
}

}  // namespace combfs::metad
