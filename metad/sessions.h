// Sessions: a client's open records on this metad belong to its lease (the
// lock lease, metad/locks/leases.h: one per client id, renewed by every
// request that carries the client id and by LockKeepalive). When the lease
// runs out the client is taken for dead and, in one transaction, loses its
// open records as if it had closed every file: open writers are counted
// again without it and orphans nobody has open any more go to the removal
// queue (MetaStore::close_client). Without this, files a dead client had open
// would keep their chunks forever (when unlinked) and make every stat ask
// the storage targets for the size (open_writers > 0). A file left without
// a writer that way gets the size its targets hold (as stat showed while the
// dead client was counted), measured by the next sweep, outside the lease's
// mutex (MetaStore::settle_size); those measurements are in memory only, so
// a metad restart before them leaves the size recorded last.
//
// A client that comes back after that is an ordinary client with a fresh
// lease: its old handles still read and write, their Close changes no count
// (counts never go below zero) and the Close of a file removed meanwhile is
// taken as done by the client (docs/architecture.md, "Open/Close").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "metad/locks/lock_service.h"
#include "metad/store/store.h"

namespace combfs::metad {

class Sessions {
 public:
  // Installs the expiry hook on `locks`. REQUIRES: both outlive this object,
  // and it is built before the lock handlers are registered.
  Sessions(MetaStore& store, locks::LockService& locks);

  // How sweep() measures the size of a file on its targets (metad/size_probe.h).
  // Null (the default): sizes stay as recorded. REQUIRES: set before sweeps run.
  using SizeProbe = std::function<Result<uint64_t>(EntryId, const proto::Layout&)>;
  void set_size_probe(SizeProbe probe) { probe_ = std::move(probe); }

  // A request from client_id (0: none) renews its lease.
  void renew(uint64_t client_id) {
    if (client_id != 0) locks_.renew(client_id);
  }

  // The periodic check (metad/main.cc runs it every sweep_interval(), and
  // once at start): clients with open records but no lease (after a restart,
  // or records that came with a migrated directory) get a full lease, so
  // nobody is expired for the time metad was down; then clients silent for
  // longer than the lease are expired; then the files their death left
  // without a writer get their size from the targets (a target that cannot
  // be reached: the next sweep tries again).
  void sweep();
  // A quarter of the lease: a dead client's records go at most this long
  // after its lease ran out.
  std::chrono::milliseconds sweep_interval() const;

 private:
  // The expiry hook: drops the client's open records (under the lease mutex).
  size_t close_expired(uint64_t client_id, int64_t lease_ms);
  void settle_sizes();

  struct Unsized {
    EntryId id;
    bool failed = false;  // a measurement failed already (logged once)
  };

  MetaStore& store_;
  locks::LockService& locks_;
  SizeProbe probe_;
  std::mutex mutex_;
  std::vector<Unsized> unsized_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad
