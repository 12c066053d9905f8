// The client side of global file locks (proto/meta.proto: SetLock, GetLock,
// LockKeepalive). Locks are kept by the metad that owns the file; this class
// sends the requests and remembers where this client may hold locks, so that a
// close costs an RPC only for files it locked; each lock it may hold is held
// on the client's lease (lease.h), which keeps it alive on the metads.
//
// The kernel's rules (fs/fuse): POSIX locks belong to a process and go away
// when it closes any descriptor of the file (FLUSH carries the owner); flock
// locks and OFD locks belong to an open file description and go away with
// its last close (RELEASE). Blocking waits are the caller's loop (ops_lock.cc):
// metad never holds a request thread for a waiter.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include "client/lib/cluster.h"
#include "client/lib/lease.h"
#include "common/entry_id.h"

namespace combfs::client {

// Where a lock request goes and whose lock it is.
struct LockSubject {
  uint32_t node = 0;       // metad that owns the file (0: root owner)
  EntryId id;
  uint64_t handle = 0;     // the open file (fuse fh) the request came through
  uint64_t owner = 0;      // the kernel's lock owner
};

class LockClient {
 public:
  // REQUIRES: lease outlives this object.
  LockClient(Cluster& cluster, LeaseKeeper& lease);
  ~LockClient();
  LockClient(const LockClient&) = delete;
  LockClient& operator=(const LockClient&) = delete;

  // One attempt to set/convert/remove a lock (range.type UNLOCK removes).
  // With `wait`, a refused request registers this owner as a waiter on metad
  // (for EDEADLK detection); the caller asks again until granted, or calls
  // cancel_wait when it gives up.
  Result<proto::SetLockResponse> set(const LockSubject& s, proto::LockKind kind, const proto::LockRange& range,
                                     bool wait);
  Result<void> cancel_wait(const LockSubject& s, proto::LockKind kind);
  // F_GETLK.
  Result<proto::GetLockResponse> get(const LockSubject& s, proto::LockKind kind, const proto::LockRange& range);

  // close(2) of a descriptor by `s.owner` (FLUSH): drops the owner's POSIX
  // locks on the file if it may have any. No RPC otherwise.
  Result<void> flush(const LockSubject& s);
  // Last close of the open file `s.handle` (RELEASE): drops its flock lock
  // (when `flock_owner` is non-zero) and the POSIX locks taken through this
  // handle that are still known (OFD locks, whose owner is the description).
  Result<void> release(const LockSubject& s, uint64_t flock_owner);

  uint64_t client_id() const { return lease_.client_id(); }

 private:
  using Key = std::pair<EntryId, uint64_t>;  // (file, lock owner)
  struct Tracked {
    uint32_t node = 0;    // the metad that answered (its node id, never 0)
    uint64_t handle = 0;  // the open file of the last lock request by this owner
  };
  struct Node {
    size_t tracked = 0;     // entries of posix_/flock_ on this metad
    uint64_t instance = 0;  // metad instance seen by the last keepalive since tracking began
  };

  // Records that `s.owner` may hold a lock of `kind` on the file (before the
  // request, so a lost reply errs on the side of releasing later).
  void track(const LockSubject& s, proto::LockKind kind);
  // Sends a lock request to s.node, following redirects to the metad the
  // file moved to (docs/metadata.md "Migration") and retrying while a move
  // has the file frozen (UNAVAILABLE); s.node becomes the metad that answered.
  template <class Request>
  Result<typename rpc::RpcClient::ResponseOf<Request>> send(LockSubject& s, const Request& req);
  // Forgets a tracked entry; returns whether it was tracked.
  bool untrack(proto::LockKind kind, const Key& key);
  // Erases a tracked entry. REQUIRES: mutex_ held.
  std::map<Key, Tracked>::iterator erase(std::map<Key, Tracked>& map, std::map<Key, Tracked>::iterator it);
  Result<void> unlock_all(const LockSubject& s, proto::LockKind kind);
  // The lease keeper's view of a metad's keepalive answer: did it restart?
  void on_keepalive(uint32_t node, const proto::LockKeepaliveResponse& resp);

  Cluster& cluster_;
  LeaseKeeper& lease_;

  std::mutex mutex_;
  std::map<Key, Tracked> posix_;    // GUARDED_BY(mutex_)
  std::map<Key, Tracked> flock_;    // GUARDED_BY(mutex_)
  std::map<uint32_t, Node> nodes_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::client
