// The balancer (docs/metadata.md "Balancer"): every metad that runs one
// compares its entry count with the least-loaded online metad (the counts
// the cluster map carries from heartbeats) and, when it holds more than
// (1 + threshold) times as many, moves one directory to that metad by the
// same migration as fsctl migrate. Off unless --balance-threshold > 0. Each
// move is logged and listed by fsctl listmigrations (reason "balancer: ...").
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "metad/cross/cross.h"

namespace combfs::metad {

struct BalancerOptions {
  double threshold = 0;  // 0: off; 0.5: move when this metad holds 1.5x the entries of the least-loaded one
  std::chrono::milliseconds interval{30000};
  uint64_t min_entries = 100;  // never balance a metad holding fewer entries
};

// A directory that may move, with the number of entries in it.
struct BalanceCandidate {
  EntryId dir;
  uint64_t entries = 0;
};

struct BalanceMove {
  EntryId dir;
  uint32_t to = 0;
  std::string reason;
};

// Pure: the directories to try, best first, to move from metad `self`
// (holding `own` entries) given the cluster map; empty when the load is
// not skewed beyond the threshold. A directory moves only if it holds at
// most half the difference, so two metads never swap it back and forth.
std::vector<BalanceMove> plan_balance(uint32_t self, uint64_t own, const ClusterMap& map,
                                      const std::vector<BalanceCandidate>& candidates, const BalancerOptions& options);

class Balancer {
 public:
  Balancer(Cross& cross, BalancerOptions options) : cross_(cross), options_(options) {}
  ~Balancer() { stop(); }

  // One round: moves at most one directory; returns it (nullopt: nothing to do).
  Result<std::optional<BalanceMove>> run_once();

  void start();  // no thread when the balancer is off
  void stop();

 private:
  Cross& cross_;
  BalancerOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad
