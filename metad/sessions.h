// Sessions: a client's open records on this metad belong to its lease (the
// lock lease, metad/locks/leases.h: one per client id, renewed by every
// request that carries the client id and by LockKeepalive). When the lease
// runs out the client is taken for dead and, in one transaction, loses its
// open records as if it had closed every file: open writers are counted
// again without it and orphans nobody has open any more go to the removal
// queue (MetaStore::close_client). Without this, files a dead client had open
// would keep their chunks forever (when unlinked) and make every stat ask
// the storage targets for the size (open_writers > 0).
//
// A client that comes back after that is an ordinary client with a fresh
// lease: its old handles still read and write, their Close changes no count
// (counts never go below zero) and the Close of a file removed meanwhile is
// taken as done by the client (docs/architecture.md, "Open/Close").
#pragma once

#include <chrono>
#include <cstdint>

#include "metad/locks/lock_service.h"
#include "metad/store/store.h"

namespace combfs::metad {

class Sessions {
 public:
  // Installs the expiry hook on `locks`. REQUIRES: both outlive this object,
  // and it is built before the lock handlers are registered.
  Sessions(MetaStore& store, locks::LockService& locks);

  // A request from client_id (0: none) renews its lease.
  void renew(uint64_t client_id) {
    if (client_id != 0) locks_.renew(client_id);
  }

  // The periodic check (metad/main.cc runs it every sweep_interval(), and
  // once at start): clients with open records but no lease (after a restart,
  // or records that came with a migrated directory) get a full lease, so
  // nobody is expired for the time metad was down; then clients silent for
  // longer than the lease are expired.
  void sweep();
  // A quarter of the lease: a dead client's records go at most this long
  // after its lease ran out.
  std::chrono::milliseconds sweep_interval() const;

 private:
  // The expiry hook: drops the client's open records (under the lease mutex).
  size_t close_expired(uint64_t client_id, int64_t lease_ms);

  MetaStore& store_;
  locks::LockService& locks_;
};

}  // namespace combfs::metad
