// Which targets to pair into mirror groups when the administrator asks for it
// automatically (fsctl addmirrorgroup --automatic), as BeeGFS does. The two
// targets of a group are on different nodes (a failing node takes one copy
// only) and of about the same size (the smaller one limits the group), and
// the primaries are spread over the nodes, since a primary takes the clients'
// writes and forwards them. Pure logic: mgmtd supplies the candidates.
#pragma once

#include <cstdint>
#include <vector>

namespace combfs::buddy {

struct Candidate {
  uint32_t target = 0;
  uint32_t node = 0;
  uint64_t total_bytes = 0;
};

struct Pair {
  uint32_t primary = 0;  // target ids
  uint32_t secondary = 0;
  bool operator==(const Pair&) const = default;
};

struct Pairing {
  std::vector<Pair> pairs;
  std::vector<uint32_t> unpaired;  // no buddy on another node of about its size
};

// Two sizes count as equal when the smaller is at least this share of the larger.
inline constexpr double kEqualSizeShare = 0.9;

// Largest targets first, each with a target of about its size from the node
// that has the most candidates left (so that no node's targets are stranded).
// The same candidates always give the same pairs.
Pairing pair_targets(std::vector<Candidate> candidates);

}  // namespace combfs::buddy
