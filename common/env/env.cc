#include "common/env/env.h"

#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/env/posix_env.h"
#include "common/env/power_loss.h"

namespace combfs::env {

Env& Env::get() {
  // Never destroyed: daemons' threads may still write while static
  // destructors run at exit.
  static Env* const env = []() -> Env* {
    const char* dir = std::getenv("COMBFS_POWERLOSS_DIR");
    if (dir == nullptr || *dir == '\0') return new PosixEnv();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      // Every change will then fail with an error naming the directory.
      spdlog::error("cannot create COMBFS_POWERLOSS_DIR '{}': {}", dir, ec.message());
    }
    spdlog::warn("COMBFS_POWERLOSS_DIR={}: running under the power-loss test model (undo logs of every "
                 "unsynced change); never set it outside tests", dir);
    return new PowerLossEnv(dir);
  }();
  return *env;
}

}  // namespace combfs::env
