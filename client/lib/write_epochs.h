// What one open file knows of its targets' write epochs: NFS's write verifier.
//
// A storage target answers every write, truncate, fsync and stat with its
// write epoch, a number that changes only when the target restarted after its
// machine lost power or crashed (stored/target/target.h): then writes it had
// acknowledged but not yet synced may be gone. A handle remembers the epoch of
// each target it wrote to since its last fsync; an answer under another epoch
// means those writes may be lost, and the handle's next fsync or close fails
// with STORAGE_WRITES_LOST (EIO) saying so -- once, as Linux reports writeback
// errors. Epoch 0 is "unknown" and never compared.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/entry_id.h"
#include "common/status.h"

namespace combfs::client {

class WriteEpochs {
 public:
  // Target `target` acknowledged a change under `epoch`.
  void wrote(const EntryId& file, uint32_t target, uint64_t epoch);
  // Target `target` answered an fsync or stat under `epoch`: checks it
  // against the epoch of the unsynced writes (a loss is kept for take_loss()).
  void answered(const EntryId& file, uint32_t target, uint64_t epoch);
  // An fsync begins: returns its token. Writes acknowledged after this call
  // may not be covered by it.
  uint64_t begin_sync();
  // Every target synced the file after begin_sync() returned `token`: the
  // writes acknowledged before that are durable and forgotten.
  void synced(uint64_t token);
  // The loss found since the last call, if any (returned once).
  std::optional<Status> take_loss();

 private:
  void compare(const EntryId& file, uint32_t target, uint64_t epoch);  // REQUIRES: mutex_ held

  std::mutex mutex_;
  struct Unsynced {
    uint64_t epoch = 0;       // of the target's first unsynced write
    uint64_t generation = 0;  // begin_sync() count when its last write was acknowledged
  };
  std::unordered_map<uint32_t, Unsynced> unsynced_;  // GUARDED_BY(mutex_): by target
  uint64_t generation_ = 0;                          // GUARDED_BY(mutex_)
  std::optional<Status> lost_;                       // GUARDED_BY(mutex_)
};

}  // namespace combfs::client
