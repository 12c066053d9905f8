#include "metad/removal_queue_worker.h"

#include <spdlog/spdlog.h>

#include <future>
#include <map>
#include <set>

#include "buddy/route.h"
#include "metad/store/inode.h"

namespace combfs::metad {

RemovalQueueWorker::RemovalQueueWorker(MetaStore& store, rpc::RpcClient& rpc, ClusterMapSource cluster_map,
                                       RemovalWorkerOptions options)
    : store_(store), rpc_(rpc), cluster_map_(std::move(cluster_map)), options_(options) {}

RemovalQueueWorker::~RemovalQueueWorker() { stop(); }

void RemovalQueueWorker::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    pending_ = true;  // whatever a previous run left in the queue
  }
  thread_ = std::thread([this] { loop(); });
}

void RemovalQueueWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RemovalQueueWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  cv_.notify_all();
}

void RemovalQueueWorker::loop() {
  auto backoff = options_.backoff_min;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    pending_ = false;
    lock.unlock();
    Pass pass = drain_once();
    lock.lock();
    if (stopping_) break;
    if (pass.failed_targets > 0) {
      // Some targets are down: retry later, backing off so a long outage costs little.
      cv_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, options_.backoff_max);
      continue;
    }
    backoff = options_.backoff_min;
    if (pass.rows == options_.rows_per_pass) continue;  // more queued than one pass takes
    cv_.wait_for(lock, options_.idle_poll, [this] { return stopping_ || pending_; });
  }
}

RemovalQueueWorker::Pass RemovalQueueWorker::drain_once() {
  Pass pass;
  auto rows = store_.pending_removals(options_.rows_per_pass);
  if (!rows) {
    spdlog::error("removal queue: {}", rows.error().to_string());
    pass.failed_targets = 1;
    return pass;
  }
  pass.rows = rows->size();
  if (rows->empty()) return pass;

  auto map = cluster_map_();
  if (!map) {
    spdlog::warn("removal queue: no cluster map, {} files wait for chunk removal: {}", rows->size(),
                 map.error().to_string());
    pass.failed_targets = 1;
    return pass;
  }

  // target -> queue entries that still have chunks there
  std::map<uint32_t, std::vector<const Removal*>> by_target;
  for (const Removal& r : *rows)
    for (uint32_t target : r.targets) by_target[target].push_back(&r);

  struct Call {
    uint32_t target;
    std::vector<const Removal*> files;
    std::future<Result<rpc::RawReply>> reply;
  };
  std::vector<Call> calls;
  for (auto& [target, files] : by_target) {
    // A mirror group's entry goes to its primary, which removes both copies.
    auto route = buddy::route_of(**map, target & ~kMirrorGroupTag, (target & kMirrorGroupTag) != 0);
    auto info = route ? (*map)->targets.find(route->target) : (*map)->targets.end();
    if (!route || info == (*map)->targets.end() || info->second.reach() == proto::REACH_OFFLINE) {
      spdlog::debug("removal queue: {} is {}, {} files wait", format_targets({target}),
                    route ? "offline" : route.error().message(), files.size());
      pass.failed_targets++;
      continue;
    }
    for (size_t i = 0; i < files.size(); i += options_.files_per_request) {
      Call call{target, {}, {}};
      proto::RemoveChunksRequest req;
      buddy::address(req, *route);
      for (size_t j = i; j < std::min(files.size(), i + options_.files_per_request); ++j) {
        call.files.push_back(files[j]);
        files[j]->id.to_proto(req.add_files());
      }
      call.reply = rpc_.start(route->endpoint, req, {}, options_.call_timeout);
      calls.push_back(std::move(call));
    }
  }

  // seq -> targets that confirmed
  std::map<int64_t, std::vector<uint32_t>> done;
  std::set<uint32_t> failed_targets;
  for (Call& call : calls) {
    // Poll so stop() does not wait for a call to a dead target to time out;
    // an abandoned call finishes inside the RpcClient on its own.
    while (call.reply.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      if (stopping()) return pass;
    auto resp = rpc::RpcClient::finish<proto::RemoveChunksRequest>(call.reply);
    if (!resp) {
      spdlog::warn("removal queue: RemoveChunks of {} files on {} failed (will retry): {}", call.files.size(),
                   format_targets({call.target}), resp.error().to_string());
      failed_targets.insert(call.target);
      continue;
    }
    for (const Removal* r : call.files) done[r->seq].push_back(call.target);
  }
  pass.failed_targets += failed_targets.size();

  for (const Removal& r : *rows) {
    auto it = done.find(r.seq);
    if (it == done.end() && !r.targets.empty()) continue;
    const std::vector<uint32_t> none;
    const auto& confirmed = it == done.end() ? none : it->second;
    auto saved = store_.complete_removal(r.seq, confirmed);
    if (!saved) {
      spdlog::error("removal queue: {}", saved.error().to_string());
      continue;
    }
    if (confirmed.size() == r.targets.size()) pass.finished++;
  }
  if (pass.finished) spdlog::debug("removal queue: chunks of {} files removed", pass.finished);
  return pass;
}

}  // namespace combfs::metad
