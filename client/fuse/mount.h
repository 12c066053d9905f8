// The whole life of a mount: check the cluster, mount, daemonize, serve until
// unmounted or signalled, unmount.
#pragma once

#include "client/fuse/options.h"

namespace combfs::fuse {

// Returns the process exit code: 0 after a clean unmount, 1 when the mount
// failed (the reason is on stderr: wrong secret, unreachable mgmtd or metad,
// bad mount point). Without -f the caller's process exits once the mount is
// up (or failed) and a child serves it.
int run_mount(const MountOptions& options);

}  // namespace combfs::fuse
