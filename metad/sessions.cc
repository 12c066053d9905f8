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
  if (*closed > 0)
    spdlog::info("client {:016x}: no request or keepalive for more than {} ms (dead or cut off): closed its {} open "
                 "file records",
                 client_id, lease_ms, *closed);
  return *closed;
}

}  // namespace combfs::metad
