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

// choose_targets with a shared, seeded generator, for concurrent request handlers.
class Placement {
 public:
  explicit Placement(uint64_t seed) : rng_(seed) {}
  Result<std::vector<uint32_t>> choose(const std::map<uint32_t, proto::TargetInfo>& targets,
                                       const proto::StripePattern& pattern) {
    std::lock_guard lock(mutex_);
    return choose_targets(targets, pattern, rng_);
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 rng_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad
