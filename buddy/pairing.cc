#include "buddy/pairing.h"

#include <algorithm>
#include <map>

namespace combfs::buddy {

Pairing pair_targets(std::vector<Candidate> left) {
  std::sort(left.begin(), left.end(), [](const Candidate& a, const Candidate& b) {
    return a.total_bytes != b.total_bytes ? a.total_bytes > b.total_bytes : a.target < b.target;
  });
  std::map<uint32_t, int> left_on_node, primaries_on_node;
  for (const auto& c : left) ++left_on_node[c.node];

  Pairing result;
  while (!left.empty()) {
    Candidate a = left.front();
    left.erase(left.begin());
    --left_on_node[a.node];
    auto buddy = left.end();
    for (auto it = left.begin(); it != left.end(); ++it) {
      if (it->node == a.node || it->total_bytes < a.total_bytes * kEqualSizeShare) continue;
      if (buddy == left.end() || left_on_node[it->node] > left_on_node[buddy->node]) buddy = it;
    }
    if (buddy == left.end()) {
      result.unpaired.push_back(a.target);
      continue;
    }
    Candidate b = *buddy;
    left.erase(buddy);
    --left_on_node[b.node];
    bool a_leads = primaries_on_node[a.node] <= primaries_on_node[b.node];
    const Candidate& primary = a_leads ? a : b;
    ++primaries_on_node[primary.node];
    result.pairs.push_back({primary.target, a_leads ? b.target : a.target});
  }
  std::sort(result.unpaired.begin(), result.unpaired.end());
  return result;
}

}  // namespace combfs::buddy
