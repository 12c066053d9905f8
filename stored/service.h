// combfs-stored as a library: targets, chunk store and request handlers.
// main.cc adds options, the RPC server, the mgmtd session and signals; tests
// run the same service in-process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/rpc/dispatcher.h"
#include "stored/state.h"

namespace combfs::stored {

struct StoredOptions {
  std::vector<std::string> target_dirs;  // at least one
  size_t max_open_files = 1024;          // fd cache size of the chunk store
  std::ptrdiff_t forward_slots = 4;      // MirrorLink: below the number of io threads
};

class StoredService {
 public:
  // Opens every target directory (creating target.uuid and chunks/ on first use).
  // Errors: INVALID_ARGUMENT without targets or with one directory twice;
  // IO_ERROR when a target cannot be set up.
  static Result<std::unique_ptr<StoredService>> open(const StoredOptions& options);

  // Registers every stored request handler. The service must outlive `dispatcher`'s use.
  void register_ops(rpc::Dispatcher& dispatcher);

  StoredState& state() { return state_; }

 private:
  explicit StoredService(const StoredOptions& options) : state_(options.max_open_files, options.forward_slots) {}
  StoredState state_;
};

}  // namespace combfs::stored
