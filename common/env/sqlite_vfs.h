// SQLite under the power-loss model: metad's and mgmtd's databases change
// through SQLite's own I/O, not through Env::File, so under PowerLossEnv a
// VFS records their changes in the same undo logs (undo_log.h).
#pragma once

#include "common/status.h"

namespace combfs::env {

// When Env::get() is a PowerLossEnv, registers (once; thread-safe) the VFS
// "combfs-powerloss" as SQLite's default: it forwards every call to the
// default VFS ("unix") and, for every file with a name that is not deleted on
// close, records an undo before xWrite, xTruncate and a growing
// SQLITE_FCNTL_SIZE_HINT, records "created" when xOpen creates the file,
// forgets the undo log after xSync and xDelete. Those calls (not the size
// hint) are crash points too (crash_point.h).
// With the plain Env it does nothing: SQLite keeps its "unix" VFS.
// Call it before the first sqlite3_open_v2 of the process.
Result<void> install_sqlite_vfs();

}  // namespace combfs::env
