#include "stored/service.h"

#include <spdlog/spdlog.h>

#include "stored/ops/ops.h"

namespace combfs::stored {

Result<std::unique_ptr<StoredService>> StoredService::open(const StoredOptions& options) {
  if (options.target_dirs.empty())
    return error(proto::INVALID_ARGUMENT, "stored needs at least one target directory (--target DIR)");
  std::unique_ptr<StoredService> service(new StoredService(options));
  for (auto& dir : options.target_dirs) {
    auto target = COMBFS_TRY(Target::open(dir));
    spdlog::info("target '{}' (uuid {}) opened", target->path(), target->uuid());
    COMBFS_CHECK(service->state_.targets.add(std::move(target)));
  }
  return service;
}

void StoredService::register_ops(rpc::Dispatcher& dispatcher) {
  add_write_chunk(dispatcher, state_);
  add_read_chunk(dispatcher, state_);
  add_truncate_chunk(dispatcher, state_);
  add_fsync_chunk(dispatcher, state_);
  add_stat_chunk(dispatcher, state_);
  add_remove_chunks(dispatcher, state_);
  add_ping(dispatcher, state_);
}

}  // namespace combfs::stored
