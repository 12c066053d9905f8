// Named crash points of the power-loss model: COMBFS_CRASH_AFTER=N (N > 0)
// makes the N-th mutating call of this process kill it (SIGKILL, before the
// call does anything), so a test can stop a daemon at every step of a
// sequence in turn. Test use only; without the variable this costs a getenv.
#pragma once

#include <string>
#include <string_view>

namespace combfs::env {

// Counts one mutating call (`op` of `path`) and kills the process if it is
// the N-th. The variable is read at every call, and the count restarts in a
// forked child, so a test can fork and setenv before the calls it aims at.
void crash_point(std::string_view op, const std::string& path);

}  // namespace combfs::env
