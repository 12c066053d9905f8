// MetaService: binds metad's request handlers (ops/) to a Dispatcher. It owns
// nothing but placement's random generator; the store and the map source are
// the caller's, so tests can run it on an in-memory cluster map without mgmtd.
#pragma once

#include "common/rpc/dispatcher.h"
#include "metad/locks/lock_service.h"
#include "metad/ops/ops.h"

namespace combfs::metad {

class MetaService {
 public:
  // seed: for placement; tests pass a fixed one. fresh_cluster_map: see OpsContext.
  MetaService(MetaStore& store, ClusterMapSource cluster_map, uint64_t seed,
              ClusterMapSource fresh_cluster_map = nullptr);

  // Adds a handler for Ping and every metad request.
  // REQUIRES: this service outlives the dispatcher's use.
  void register_handlers(rpc::Dispatcher& dispatcher);

  // The global fcntl/flock locks of the files this metad owns (metad/locks/).
  locks::LockService& locks() { return locks_; }

 private:
  Placement placement_;
  OpsContext ctx_;
  locks::LockService locks_;
};

}  // namespace combfs::metad
