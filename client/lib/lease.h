// LeaseKeeper: this client's lease on the metads (proto/meta.proto:
// LockKeepalive). A metad keeps a client's locks and its open files (the Open
// records that hold an unlinked file's data and make stat ask the targets for
// the size of a file open for write) only while the client renews its lease;
// a client silent for longer than the lease is taken for dead and loses them
// (docs/architecture.md, "Open/Close"; docs/posix.md, "Dead clients").
//
// Every Open, Close, Create and lock request renews the lease on the metad it
// goes to; the keeper covers the quiet times in between: while anything is
// held (hold/release count open files and locks), a background thread sends
// LockKeepalive to every metad of the cluster map every quarter of the lease
// metad announces. Every metad, not only those where files were opened: a
// directory migration moves open records to another metad without telling
// the client, and a keepalive costs a metad no more than a map lookup.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "client/lib/cluster.h"
#include "common/periodic.h"

namespace combfs::client {

class LeaseKeeper {
 public:
  LeaseKeeper(Cluster& cluster, uint64_t client_id);
  ~LeaseKeeper();  // stops the thread
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // The client id that Open, Close, Create and lock requests carry.
  uint64_t client_id() const { return client_id_; }

  // One more / one less thing that needs the lease (an open file, a lock).
  // The first hold() starts the thread, which renews at once.
  void hold();
  void release();
  size_t held() const;

  // Sees every metad's answer, on the keeper's thread (LockClient: whether a
  // metad restarted and lost its locks). Null: none. Once set_observer
  // returns, an observer set before is no longer running or called.
  using Observer = std::function<void(uint32_t node, const proto::LockKeepaliveResponse&)>;
  void set_observer(Observer observer);

  // One round: LockKeepalive to every metad at once (the thread's body).
  void keepalive_once();

 private:
  Cluster& cluster_;
  const uint64_t client_id_;

  mutable std::mutex mutex_;
  size_t held_ = 0;                           // GUARDED_BY(mutex_)
  std::chrono::milliseconds interval_{1000};  // GUARDED_BY(mutex_): lease / 4, once a metad told it
  std::map<uint32_t, bool> failing_;          // GUARDED_BY(mutex_): metads whose last keepalive failed
  std::mutex observer_mutex_;                 // held while the observer runs
  Observer observer_;                         // GUARDED_BY(observer_mutex_)
  Periodic thread_;                           // last: stopped before the rest goes
};

}  // namespace combfs::client
