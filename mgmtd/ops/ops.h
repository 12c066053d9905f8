// One handler per request, each in its own file (ops/<name>.cc). Each add_*
// registers its handler in the dispatcher; the registry must outlive it.
#pragma once

#include "common/rpc/dispatcher.h"
#include "mgmtd/store/registry.h"

namespace combfs::mgmtd {

void add_register_node(rpc::Dispatcher& dispatcher, Registry& registry);
void add_heartbeat(rpc::Dispatcher& dispatcher, Registry& registry);
void add_get_maps(rpc::Dispatcher& dispatcher, Registry& registry);
void add_stat_fs(rpc::Dispatcher& dispatcher, Registry& registry);
void add_add_mirror_group(rpc::Dispatcher& dispatcher, Registry& registry);
void add_ping(rpc::Dispatcher& dispatcher);

}  // namespace combfs::mgmtd
