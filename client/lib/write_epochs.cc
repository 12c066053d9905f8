#include "client/lib/write_epochs.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace combfs::client {

void WriteEpochs::compare(const EntryId& file, uint32_t target, uint64_t epoch) {
  auto it = unsynced_.find(target);
  if (epoch == 0 || it == unsynced_.end() || it->second.epoch == 0 || it->second.epoch == epoch) return;
  Status loss(proto::STORAGE_WRITES_LOST,
              fmt::format("target {} restarted after a crash or power loss (write epoch {} -> {}): writes to file {} "
                          "that it acknowledged since the last fsync may be lost; write them again (from the "
                          "application's last checkpoint)",
                          target, it->second.epoch, epoch, file.to_string()));
  spdlog::error("{}", loss.message());
  if (!lost_) lost_ = std::move(loss);
  // Later writes are under the new epoch; the loss is already recorded.
  it->second.epoch = epoch;
}

void WriteEpochs::wrote(const EntryId& file, uint32_t target, uint64_t epoch) {
  std::lock_guard lock(mutex_);
  compare(file, target, epoch);
  auto& entry = unsynced_.try_emplace(target, Unsynced{epoch, 0}).first->second;
  entry.generation = generation_;
}

void WriteEpochs::answered(const EntryId& file, uint32_t target, uint64_t epoch) {
  std::lock_guard lock(mutex_);
  compare(file, target, epoch);
}

uint64_t WriteEpochs::begin_sync() {
  std::lock_guard lock(mutex_);
  return ++generation_;
}

void WriteEpochs::synced(uint64_t token) {
  std::lock_guard lock(mutex_);
  std::erase_if(unsynced_, [token](const auto& entry) { return entry.second.generation < token; });
}

std::optional<Status> WriteEpochs::take_loss() {
  std::lock_guard lock(mutex_);
  return std::exchange(lost_, std::nullopt);
}

}  // namespace combfs::client
