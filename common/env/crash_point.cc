#include "common/env/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <fmt/format.h>

namespace combfs::env {

void crash_point(std::string_view op, const std::string& path) {
  const char* value = std::getenv("COMBFS_CRASH_AFTER");
  if (value == nullptr || *value == '\0') return;
  long long target = std::atoll(value);
  if (target <= 0) return;

  static std::mutex mutex;
  static pid_t counting_pid = 0;  // GUARDED_BY(mutex)
  static long long count = 0;     // GUARDED_BY(mutex)
  std::lock_guard lock(mutex);
  // A forked child inherits the parent's count; "the N-th call of this
  // process" means counting from the fork.
  if (counting_pid != ::getpid()) {
    counting_pid = ::getpid();
    count = 0;
  }
  if (++count != target) return;
  // Plain stderr, not spdlog: the line must be out before the kill, whatever
  // the logger's sinks and buffering.
  std::string line = fmt::format("combfs: COMBFS_CRASH_AFTER={} reached at {} {}: killing this process\n",
                                 target, op, path);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  ::raise(SIGKILL);
}

}  // namespace combfs::env
