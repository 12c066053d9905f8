// MetaService: binds metad's request handlers (ops/) to a Dispatcher. It owns
// nothing but placement's random generator; the store and the map source are
// the caller's, so tests can run it on an in-memory cluster map without mgmtd.
#pragma once

#include <memory>

#include "common/rpc/dispatcher.h"
#include "metad/cross/cross.h"
#include "metad/locks/lock_service.h"
#include "metad/ops/ops.h"
#include "metad/sessions.h"

namespace combfs::metad {

class MetaService {
 public:
  // seed: for placement; tests pass a fixed one. fresh_cluster_map: see OpsContext.
  // cross: how to reach the other metads (default: none, this metad works alone).
  MetaService(MetaStore& store, ClusterMapSource cluster_map, uint64_t seed,
              ClusterMapSource fresh_cluster_map = nullptr, CrossOptions cross = {});

  // See OpsContext::mgmtd_cluster_map. Call before serving.
  void set_mgmtd_cluster_map(ClusterMapSource source) { ctx_.mgmtd_cluster_map = std::move(source); }

  // Cross-owner operations: directory placement, the journal and its worker.
  Cross& cross() { return *cross_; }

  // Adds a handler for Ping and every metad request.
  // REQUIRES: this service outlives the dispatcher's use.
  void register_handlers(rpc::Dispatcher& dispatcher);

  // The global fcntl/flock locks of the files this metad owns (metad/locks/).
  locks::LockService& locks() { return locks_; }
  // The leases that hold clients' open records (metad/sessions.h); the daemon
  // runs sweep() every sweep_interval().
  Sessions& sessions() { return sessions_; }

 private:
  Placement placement_;
  OpsContext ctx_;
  std::unique_ptr<Cross> cross_;
  locks::LockService locks_;
  Sessions sessions_;  // after locks_: it installs its expiry hook there
};

}  // namespace combfs::metad
