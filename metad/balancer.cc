#include "metad/balancer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace combfs::metad {

std::vector<BalanceMove> plan_balance(uint32_t self, uint64_t own, const ClusterMap& map,
                                      const std::vector<BalanceCandidate>& candidates, const BalancerOptions& options) {
  if (options.threshold <= 0 || own < options.min_entries) return {};
  uint32_t lightest = 0;
  uint64_t least = 0;
  for (const auto& [id, n] : map.nodes) {
    if (id == self || n.type() != proto::NODE_META || n.reach() != proto::REACH_ONLINE) continue;
    if (lightest == 0 || n.entries() < least) {
      lightest = id;
      least = n.entries();
    }
  }
  if (lightest == 0 || static_cast<double>(own) <= (1.0 + options.threshold) * static_cast<double>(least)) return {};
  const uint64_t budget = (own - least) / 2;
  std::vector<BalanceCandidate> fitting;
  for (const auto& c : candidates)
    if (c.entries > 0 && c.entries <= budget && !(c.dir == EntryId::root())) fitting.push_back(c);
  std::stable_sort(fitting.begin(), fitting.end(), [](const auto& a, const auto& b) { return a.entries > b.entries; });
  std::vector<BalanceMove> moves;
  for (const auto& c : fitting)
    moves.push_back(BalanceMove{c.dir, lightest,
                                fmt::format("balancer: {} entries on metad {}, {} on metad {} (threshold {})", own,
                                            self, least, lightest, options.threshold)});
  return moves;
}

Result<std::optional<BalanceMove>> Balancer::run_once() {
  auto map = COMBFS_TRY(cross_.map()());
  std::vector<BalanceCandidate> candidates;
  for (auto& [dir, n] : COMBFS_TRY(cross_.store().largest_directories(16)))
    candidates.push_back(BalanceCandidate{dir, n});
  Status last;
  for (auto& move : plan_balance(cross_.self(), cross_.store().entry_count(), *map, candidates, options_)) {
    proto::MigrateDirRequest req;
    move.dir.to_proto(req.mutable_dir());
    req.set_to(move.to);
    req.set_reason(move.reason);
    auto moved = cross::migrate_dir(cross_, req);
    if (moved) {
      spdlog::info("{}: moved directory {} ({} entries) to metad {}", move.reason, move.dir.to_string(),
                   moved->moved_entries(), move.to);
      return std::optional<BalanceMove>(std::move(move));
    }
    last = moved.error();  // e.g. hard-linked files: try the next one
    spdlog::debug("balancer: cannot move directory {}: {}", move.dir.to_string(), last.to_string());
  }
  if (!last.ok()) return error(last);
  return std::optional<BalanceMove>();
}

void Balancer::start() {
  if (options_.threshold <= 0) return;
  spdlog::info("balancer on: moving directories when this metad holds more than {}x the entries of the least-loaded "
               "metad, checked every {} ms",
               1.0 + options_.threshold, options_.interval.count());
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
      lock.unlock();
      if (auto r = run_once(); !r) spdlog::warn("balancer: no directory could move: {}", r.error().to_string());
      lock.lock();
    }
  });
}

void Balancer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace combfs::metad
