// Drains the store's durable removal queue: sends RemoveChunks (batched per
// target) to the node of every target that still holds chunks of a removed
// file, and forgets a queue entry only once all its targets confirmed. A
// target that is down keeps its entries; the worker retries with backoff.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/rpc/client.h"
#include "metad/ops/ops.h"

namespace combfs::metad {

struct RemovalWorkerOptions {
  size_t rows_per_pass = 1024;            // queue entries looked at per pass
  size_t files_per_request = 256;         // files per RemoveChunksRequest
  std::chrono::milliseconds idle_poll{5000};  // look at the queue this often even without wake()
  std::chrono::milliseconds backoff_min{200};
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds call_timeout{5000};
};

class RemovalQueueWorker {
 public:
  RemovalQueueWorker(MetaStore& store, rpc::RpcClient& rpc, ClusterMapSource cluster_map,
                     RemovalWorkerOptions options = {});
  ~RemovalQueueWorker();  // stop()

  // Starts the background thread.
  void start();
  // Stops the thread; returns without waiting for calls in flight to time out.
  void stop();
  // Tells the thread that the queue has new entries.
  void wake();

  struct Pass {
    size_t rows = 0;            // queue entries looked at
    size_t finished = 0;        // entries whose chunks are gone from all their targets
    size_t failed_targets = 0;  // targets that could not be reached or refused
  };
  // One pass over the oldest queue entries (the thread's loop body; tests call it directly).
  Pass drain_once();

 private:
  void loop();
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  MetaStore& store_;
  rpc::RpcClient& rpc_;
  ClusterMapSource cluster_map_;
  RemovalWorkerOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  bool pending_ = false;   // GUARDED_BY(mutex_): wake() since the last pass
  std::thread thread_;
};

}  // namespace combfs::metad
