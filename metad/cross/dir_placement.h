// Which metad a new directory goes to (`--dir-placement`):
//   balanced  the online metad with the fewest entries: the count it last
//             reported to mgmtd (NodeInfo.entries) plus the directories this
//             metad placed on it since that count changed; ties at random.
//   parent    always this metad (the parent's owner): subtrees stay together.
//   random    any online metad, uniformly.
// This metad is always a candidate, even when the map does not list it yet.
// Pure but for the seeded generator and the placement counts, so tests can
// check the distribution exactly.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/mgmt_client.h"

namespace combfs::metad {

enum class DirPolicy { balanced, parent, random };

std::optional<DirPolicy> parse_dir_policy(const std::string& name);
const char* dir_policy_name(DirPolicy policy);

class DirPlacement {
 public:
  DirPlacement(DirPolicy policy, uint32_t self, uint64_t seed) : policy_(policy), self_(self), rng_(seed) {}

  DirPolicy policy() const { return policy_; }

  // The metad for a new directory; counts it as placed there.
  uint32_t choose(const ClusterMap& map);
  // The metads for the `count` shards of a hashed directory: the first as
  // choose() picks, the others round-robin over the candidates after it (in
  // node id order), so shards share a metad only when there are fewer metads
  // than shards. The parent policy keeps them all here.
  std::vector<uint32_t> choose_shards(const ClusterMap& map, uint32_t count);

 private:
  struct Seen {
    uint64_t reported = 0;  // NodeInfo.entries when last looked at
    uint64_t placed = 0;    // directories placed there since `reported` changed
  };

  std::vector<uint32_t> candidates(const ClusterMap& map) const;  // self first

  const DirPolicy policy_;
  const uint32_t self_;
  std::mutex mutex_;
  std::mt19937_64 rng_;             // GUARDED_BY(mutex_)
  std::map<uint32_t, Seen> seen_;   // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad
