// One handler per request, each in its own file (ops/<name>.cc). Each add_*
// registers its handler in the dispatcher; `state` must outlive it.
// Handlers do blocking disk I/O on the server's io threads (hence stored's
// larger default --threads).
#pragma once

#include "common/rpc/dispatcher.h"
#include "stored/state.h"

namespace combfs::stored {

void add_write_chunk(rpc::Dispatcher& dispatcher, StoredState& state);
void add_read_chunk(rpc::Dispatcher& dispatcher, StoredState& state);
void add_truncate_chunk(rpc::Dispatcher& dispatcher, StoredState& state);
void add_fsync_chunk(rpc::Dispatcher& dispatcher, StoredState& state);
void add_stat_chunk(rpc::Dispatcher& dispatcher, StoredState& state);
void add_remove_chunks(rpc::Dispatcher& dispatcher, StoredState& state);
void add_ping(rpc::Dispatcher& dispatcher, StoredState& state);

}  // namespace combfs::stored
