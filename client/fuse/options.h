// Command line of combfs-client and mount.combfs (the same program):
//
//   combfs-client MGMTD_HOST[:PORT] MOUNTPOINT [-o OPT[,OPT...]] [-f] [-d]
//                 [--log-file FILE] [--log-level LEVEL]
//   mount.combfs SPEC DIR [-sfnv] [-o OPTS]        (as mount(8) calls it)
//
// Our own -o options: secret=FILE, attr_timeout=S, entry_timeout=S,
// log_file=FILE, log_level=LEVEL, max_threads=N, max_idle_threads=N,
// parallel_writes=off|wronly|shared (no_parallel_writes = off), no_write_behind,
// allow_other, owner_only.
// fstab-only options (defaults, auto, noauto, user, users, nouser, nofail,
// _netdev, comment=..., x-...) are dropped; everything else goes to libfuse.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace combfs::fuse {

inline constexpr const char* kDefaultSecretFile = "/etc/combfs/secret";

// Which opens for writing get direct I/O with parallel writes (open_reply.h).
enum class ParallelWrites {
  kOff,        // none: every write takes the inode lock
  kWriteOnly,  // O_WRONLY opens (default): they cannot mmap and never read
  kShared,     // also O_RDWR opens of a file that has other writers (those cannot mmap MAP_SHARED)
};

// Who may use the mount besides the user who mounted it (FUSE's allow_other).
// The kernel still checks every permission (default_permissions).
enum class OtherUsers {
  kAuto,       // everyone when root mounts (a cluster mount is for all users, as mfsmount does), else the owner
  kAllowed,    // -o allow_other
  kOwnerOnly,  // -o owner_only
};

struct MountOptions {
  std::string program = "combfs-client";
  std::string mgmtd;       // HOST[:PORT] as given
  std::string mountpoint;
  std::string secret_file = kDefaultSecretFile;
  double attr_timeout = 1.0;
  double entry_timeout = 1.0;
  bool foreground = false;
  bool debug = false;  // libfuse's request trace; implies foreground
  std::string log_file;
  std::string log_level = "warn";
  unsigned max_threads = 64;
  unsigned max_idle_threads = 16;
  ParallelWrites parallel_writes = ParallelWrites::kWriteOnly;
  bool write_behind = true;  // page-cache writes answered before they reach the targets
  OtherUsers other_users = OtherUsers::kAuto;
  std::vector<std::string> fuse_options;  // passed to libfuse with -o
  bool help = false;
};

// Parses argv (argv[0] names the program). INVALID_ARGUMENT with a message
// that names the bad argument.
Result<MountOptions> parse_mount_args(int argc, const char* const* argv);

std::string mount_usage(const std::string& program);

// Whether the mount gets FUSE's allow_other when the mounting user is `euid`.
bool allows_other_users(const MountOptions& o, unsigned euid);

}  // namespace combfs::fuse
