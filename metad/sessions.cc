#include "metad/sessions.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace combfs::metad {

Sessions::Sessions(MetaStore& store, locks::LockService& locks) : store_(store), locks_(locks) {
  locks_.set_expiry_hook([this](uint64_t client_id, int64_t lease_ms) { return close_expired(client_id, lease_ms); });
}

void Sessions::sweep() {
  auto clients = store_.open_clients();
  if (clients)
    locks_.adopt(*clients);
  else
    spdlog::error("cannot list the clients with open files: {} (their leases start once they are listed)",
                  clients.error().to_string());
  locks_.expire();
  settle_sizes();
}

void Sessions::settle_sizes() {
  std::vector<Unsized> todo;
  {
    std::lock_guard guard(mutex_);
    todo.swap(unsized_);
  }
  std::vector<Unsized> again;
  for (Unsized& u : todo) {
    if (!probe_) break;
    auto info = store_.get_attr(u.id);
    // Gone, or a new writer: its Close records the size.
    if (!info || info->attr().open_writers() > 0) continue;
    auto measured = probe_(u.id, info->layout());
    if (!measured) {
      if (!u.failed)
        spdlog::warn("file {}: cannot measure its size on the targets after its last writer died: {} (trying again "
                     "every {} ms; until then stat shows the size recorded last)",
                     u.id.to_string(), measured.error().to_string(), sweep_interval().count());
      u.failed = true;
      again.push_back(u);
      continue;
    }
    auto settled = store_.settle_size(u.id, info->attr(), *measured);
    if (!settled) {
      spdlog::error("file {}: cannot record its size {}: {}", u.id.to_string(), *measured, settled.error().to_string());
      again.push_back(u);
    } else if (*settled && *measured > info->attr().size()) {
      spdlog::info("file {}: size {} found on the targets after its last writer died (recorded: {})",
                   u.id.to_string(), *measured, info->attr().size());
    }
  }
  std::lock_guard guard(mutex_);
  unsized_.insert(unsized_.end(), again.begin(), again.end());
}

std::chrono::milliseconds Sessions::sweep_interval() const {
  return std::max(std::chrono::milliseconds(50), locks_.lease() / 4);
}

size_t Sessions::close_expired(uint64_t client_id, int64_t lease_ms) {
  auto closed = store_.close_client(client_id);
  if (!closed) {
    // The records stay; the next sweep gives the client a new lease and tries
    // again when that one runs out.
    spdlog::error("client {:016x}: its lease ran out but its open files cannot be closed: {}; retrying after "
                  "another lease",
                  client_id, closed.error().to_string());
    return 0;
  }
  if (closed->records > 0)
    spdlog::info("client {:016x}: no request or keepalive for more than {} ms (dead or cut off): closed its {} open "
                 "file records",
                 client_id, lease_ms, closed->records);
  if (probe_ && !closed->unsized.empty()) {
    std::lock_guard guard(mutex_);
    for (EntryId id : closed->unsized) unsized_.push_back({id});
  }
  return closed->records;
}

}  // namespace combfs::metad
