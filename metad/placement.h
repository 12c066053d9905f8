// Placement: which storage targets a new file's chunks go to. Pure: it sees
// only the targets of a cluster map snapshot and a random generator, so tests
// can check the distribution exactly.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <vector>

#include "common/status.h"
#include "proto/meta.pb.h"
#include "proto/mgmt.pb.h"

namespace combfs::metad {

// Chooses min(pattern.num_targets, eligible) distinct targets among `targets`.
// Eligible: online, consistency good, in pattern.pool_id. Each pick is
// weighted by free_bytes (+1, so a cluster that reports no capacity yet still
// works and a full target is only used when nothing else is left), which
// steers new files away from full targets and makes the first target (where
// small files live) rotate. Returns the targets in pick order; MGMT_NO_TARGETS
// when none is eligible.
Result<std::vector<uint32_t>> choose_targets(const std::map<uint32_t, proto::TargetInfo>& targets,
                                             const proto::StripePattern& pattern, std::mt19937_64& rng);

// The same for a buddymirror pattern: chooses mirror groups (their ids go
// into the layout). Eligible: both targets known, online, good and in
// pattern.pool_id. A group is weighted by the free space of its fuller
// target, which is what it can still take. MGMT_NO_TARGETS when none is
// eligible, saying to run `fsctl addmirrorgroup --automatic` when the
// cluster has no group at all.
Result<std::vector<uint32_t>> choose_groups(const std::map<uint32_t, proto::TargetInfo>& targets,
                                            const std::map<uint32_t, proto::MirrorGroupInfo>& groups,
                                            const proto::StripePattern& pattern, std::mt19937_64& rng);

// The mirror groups whose two targets are both in `pool` (eligible or not):
// what `fsctl setpattern --type buddymirror` may ask for at most.
size_t groups_in_pool(const std::map<uint32_t, proto::TargetInfo>& targets,
                      const std::map<uint32_t, proto::MirrorGroupInfo>& groups, uint32_t pool);

// choose_targets with a shared, seeded generator, for concurrent request handlers.
class Placement {
 public:
  explicit Placement(uint64_t seed) : rng_(seed) {}
  // Targets for a raid0 pattern, mirror groups for a buddymirror one.
  Result<std::vector<uint32_t>> choose(const std::map<uint32_t, proto::TargetInfo>& targets,
                                       const std::map<uint32_t, proto::MirrorGroupInfo>& groups,
                                       const proto::StripePattern& pattern) {
    std::lock_guard lock(mutex_);
    if (pattern.type() == proto::PATTERN_BUDDYMIRROR) return choose_groups(targets, groups, pattern, rng_);
    return choose_targets(targets, pattern, rng_);
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 rng_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad
