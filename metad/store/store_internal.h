// Private to metad/store/*.cc: the transaction wrappers of MetaStore and the
// error messages shared by its operations.
#pragma once

#include <fmt/format.h>

#include "metad/store/db.h"
#include "metad/store/store.h"
#include "metad/store/tables.h"

namespace combfs::metad {

// A write returns once its transaction is durable (group commit): no change
// is acknowledged that a power loss could take back, and a later write is
// durable only with every earlier one (one WAL). Await::ride_along returns as
// late as it may (the sync is usually the next request's); Await::nothing is
// for bookkeeping that is redone after a crash. A read does not wait: it may
// show a client a change that is committed but not yet synced, which a client
// can only build on through a later write here (durable after it) -- the rule
// of an acknowledged change is kept. What leaves metad for another daemon and
// may depend on such a read waits with wait_durable_seen(): steps sent to or
// answered to other metads (Peers, the Remote* handlers) and chunk removals.
template <class F>
auto MetaStore::write(F&& f, Await await) -> decltype(f(std::declval<Tables&>())) {
  using R = decltype(f(std::declval<Tables&>()));
  std::function<void()> notify;
  uint64_t seq = 0;
  R result = [&]() -> R {
    std::lock_guard lock(mutex_);
    effects_ = {};
    auto tx = Transaction::begin(*db_);
    if (!tx) return std::unexpected(tx.error());
    R r = f(*tables_);
    if (!r) return r;  // ~Transaction rolls back
    auto committed = tx->commit();
    if (!committed) return std::unexpected(committed.error());
    // An unnumbered commit is made durable by the next numbered one's sync.
    // One that queued a removal is numbered all the same: the removal worker
    // waits for what it has seen (pending_removals).
    if (await != Await::nothing || effects_.enqueued) seq = commits_.committed();
    entries_ = static_cast<uint64_t>(static_cast<int64_t>(entries_) + effects_.entry_delta);
    if (effects_.enqueued) notify = removal_listener_;
    apply_moved(effects_.moved);
    return r;
  }();
  if (seq != 0) {
    const auto patience = await == Await::ride_along ? kRideAlongPatience : std::chrono::milliseconds{0};
    if (auto durable = commits_.wait_durable(seq, patience); !durable) return std::unexpected(durable.error());
  }
  if (notify) notify();
  return result;
}

template <class F>
auto MetaStore::read(F&& f) -> decltype(f(std::declval<Tables&>())) {
  std::lock_guard lock(mutex_);
  return f(*tables_);
}

inline std::unexpected<Status> no_entry(EntryId parent, const std::string& name) {
  return error(proto::META_NOT_FOUND, fmt::format("no entry '{}' in directory {}", name, parent.to_string()));
}

}  // namespace combfs::metad
