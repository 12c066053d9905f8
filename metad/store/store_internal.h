// Private to metad/store/*.cc: the transaction wrappers of MetaStore and the
// error messages shared by its operations.
#pragma once

#include <fmt/format.h>

#include "metad/store/db.h"
#include "metad/store/store.h"
#include "metad/store/tables.h"

namespace combfs::metad {

// Both wrappers return only what is durable: a write waits for the group
// commit of its transaction, a read for that of everything committed before it
// looked (it may have seen it). So nothing a power loss could take back leaves
// metad: not a reply, not a step sent to another metad, not a chunk removal.
template <class F>
auto MetaStore::write(F&& f) -> decltype(f(std::declval<Tables&>())) {
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
    seq = commits_.committed();
    entries_ = static_cast<uint64_t>(static_cast<int64_t>(entries_) + effects_.entry_delta);
    if (effects_.enqueued) notify = removal_listener_;
    apply_moved(effects_.moved);
    return r;
  }();
  if (seq == 0) return result;
  if (auto durable = commits_.wait_durable(seq); !durable) return std::unexpected(durable.error());
  if (notify) notify();
  return result;
}

template <class F>
auto MetaStore::read(F&& f) -> decltype(f(std::declval<Tables&>())) {
  uint64_t seen = 0;
  auto result = [&] {
    std::lock_guard lock(mutex_);
    seen = commits_.last_committed();
    return f(*tables_);
  }();
  if (auto durable = commits_.wait_durable(seen); !durable) return std::unexpected(durable.error());
  return result;
}

inline std::unexpected<Status> no_entry(EntryId parent, const std::string& name) {
  return error(proto::META_NOT_FOUND, fmt::format("no entry '{}' in directory {}", name, parent.to_string()));
}

}  // namespace combfs::metad
