// LockService: the lock table and the client leases of one metad behind a
// mutex, and the registration of the lock requests (metad/ops/lock_*.cc) on a
// Dispatcher. Locks live in memory only: a metad restart loses them, and
// clients learn it from the `instance` in LockKeepaliveResponse (docs/posix.md).
// The lease is the client's whole session on this metad: what else a client
// holds here (its open records) is dropped through the expiry hook
// (metad/sessions.h installs it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/rpc/dispatcher.h"
#include "metad/locks/leases.h"
#include "metad/locks/lock_table.h"

namespace combfs::metad::locks {

inline constexpr std::chrono::milliseconds kDefaultLease{10000};

struct LockServiceOptions {
  std::chrono::milliseconds lease = kDefaultLease;
  // Monotonic milliseconds; tests inject a fake clock. Default: steady_clock.
  std::function<int64_t()> clock_ms = nullptr;
};

class LockService {
 public:
  explicit LockService(LockServiceOptions options = {});

  // Adds the SetLock, GetLock and LockKeepalive handlers.
  // REQUIRES: this service outlives the dispatcher's use.
  void register_handlers(rpc::Dispatcher& dispatcher);

  // REQUIRES: lease > 0. Applies to the next expiry check.
  void set_lease(std::chrono::milliseconds lease);
  std::chrono::milliseconds lease() const;
  // Random per process: tells clients that a restart lost their locks.
  uint64_t instance() const { return instance_; }

  // Runs f(LockTable&, int64_t now_ms) under the mutex, after renewing
  // client_id's lease and dropping the locks of every client whose lease ran out.
  template <class F>
  auto with_table(uint64_t client_id, F&& f) {
    std::lock_guard<std::mutex> guard(mutex_);
    int64_t now = renew_and_expire(client_id);
    return f(table_, now);
  }

  // Renews client_id's lease (requests that carry a client id: Open, Close,
  // Create); expires silent clients first, like with_table.
  void renew(uint64_t client_id);
  // Expires the clients whose lease ran out, without a request (a periodic
  // check: a dead client's open records must go even when nobody asks).
  void expire();
  // Starts a full lease for each client that has none (Leases::adopt).
  void adopt(const std::vector<uint64_t>& clients);

  // Called for every client whose lease ran out, after its locks were
  // dropped, under this service's mutex (so that the client's next request,
  // which renews first, waits until the drop is complete); returns how much
  // else it dropped (open records). `lease_ms` is the lease that ran out (for
  // its log line). REQUIRES: does not call into this service; set before
  // handlers are registered and before any renewal.
  using ExpiryHook = std::function<size_t(uint64_t client_id, int64_t lease_ms)>;
  void set_expiry_hook(ExpiryHook hook) { expiry_hook_ = std::move(hook); }

  // Whether any lock is held on `file` (a migration leaves such files alone).
  bool has_locks(const EntryId& file) const;

  // Runs before every SetLock/GetLock with the file's id; an error is the
  // answer (a redirect for a file that moved, "busy" while it moves), else
  // the returned token is held while the request runs. Default: none.
  using Admission = std::function<Result<std::shared_ptr<void>>(const EntryId& file)>;
  void set_admission(Admission admission) { admission_ = std::move(admission); }
  const Admission& admission() const { return admission_; }

  // For LockKeepalive: renews (as with_table) and says whether the client's
  // locks or open records were dropped since it last asked.
  bool renew_and_take_lost(uint64_t client_id);

 private:
  int64_t renew_and_expire(uint64_t client_id);  // REQUIRES: mutex_ held
  void expire_locked(int64_t now_ms);            // REQUIRES: mutex_ held

  std::function<int64_t()> clock_ms_;
  Admission admission_;      // set before handlers are registered
  ExpiryHook expiry_hook_;   // set before handlers are registered
  uint64_t instance_;
  mutable std::mutex mutex_;
  LockTable table_;  // GUARDED_BY(mutex_)
  Leases leases_;    // GUARDED_BY(mutex_)
};

}  // namespace combfs::metad::locks
