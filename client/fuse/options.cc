#include "client/fuse/options.h"

#include <fmt/format.h>

#include <charconv>

namespace combfs::fuse {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

Result<double> parse_seconds(const std::string& key, const std::string& value) {
  try {
    size_t used = 0;
    double d = std::stod(value, &used);
    if (used == value.size() && d >= 0) return d;
  } catch (const std::exception&) {
  }
  return error(proto::INVALID_ARGUMENT, fmt::format("-o {}={}: expected a number of seconds >= 0", key, value));
}

Result<unsigned> parse_count(const std::string& key, const std::string& value) {
  unsigned n = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || ptr != value.data() + value.size() || n == 0)
    return error(proto::INVALID_ARGUMENT, fmt::format("-o {}={}: expected a positive number", key, value));
  return n;
}

// Applies one -o option; unknown ones are kept for libfuse.
Result<void> apply_option(MountOptions& o, const std::string& opt) {
  if (opt.empty()) return {};
  auto eq = opt.find('=');
  std::string key = opt.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
  bool has_value = eq != std::string::npos;
  auto need_value = [&]() -> Result<void> {
    if (!has_value || value.empty())
      return error(proto::INVALID_ARGUMENT, fmt::format("-o {} needs a value: -o {}=...", key, key));
    return {};
  };
  if (key == "secret" || key == "secret_file") {
    COMBFS_CHECK(need_value());
    o.secret_file = value;
  } else if (key == "attr_timeout") {
    COMBFS_CHECK(need_value());
    o.attr_timeout = COMBFS_TRY(parse_seconds(key, value));
  } else if (key == "entry_timeout") {
    COMBFS_CHECK(need_value());
    o.entry_timeout = COMBFS_TRY(parse_seconds(key, value));
  } else if (key == "no_parallel_writes") {
    if (has_value) return error(proto::INVALID_ARGUMENT, fmt::format("-o {} takes no value", key));
    o.parallel_writes = ParallelWrites::kOff;
  } else if (key == "no_write_behind") {
    if (has_value) return error(proto::INVALID_ARGUMENT, fmt::format("-o {} takes no value", key));
    o.write_behind = false;
  } else if (key == "allow_other" || key == "owner_only") {
    if (has_value) return error(proto::INVALID_ARGUMENT, fmt::format("-o {} takes no value", key));
    o.other_users = key == "allow_other" ? OtherUsers::kAllowed : OtherUsers::kOwnerOnly;
  } else if (key == "parallel_writes") {
    COMBFS_CHECK(need_value());
    if (value == "off")
      o.parallel_writes = ParallelWrites::kOff;
    else if (value == "wronly")
      o.parallel_writes = ParallelWrites::kWriteOnly;
    else if (value == "shared")
      o.parallel_writes = ParallelWrites::kShared;
    else
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("-o parallel_writes={}: expected off, wronly or shared", value));
  } else if (key == "log_file") {
    COMBFS_CHECK(need_value());
    o.log_file = value;
  } else if (key == "log_level") {
    COMBFS_CHECK(need_value());
    o.log_level = value;
  } else if (key == "max_threads") {
    COMBFS_CHECK(need_value());
    o.max_threads = COMBFS_TRY(parse_count(key, value));
  } else if (key == "max_idle_threads") {
    COMBFS_CHECK(need_value());
    o.max_idle_threads = COMBFS_TRY(parse_count(key, value));
  } else if (key == "defaults" || key == "auto" || key == "noauto" || key == "user" || key == "users" ||
             key == "nouser" || key == "nofail" || key == "_netdev" || key == "comment" || starts_with(key, "x-")) {
    // Only meaningful to mount(8) and systemd.
  } else {
    o.fuse_options.push_back(opt);
  }
  return {};
}

Result<void> apply_option_list(MountOptions& o, const std::string& list) {
  size_t i = 0;
  while (i <= list.size()) {
    size_t j = list.find(',', i);
    if (j == std::string::npos) j = list.size();
    COMBFS_CHECK(apply_option(o, list.substr(i, j - i)));
    i = j + 1;
  }
  return {};
}

}  // namespace

std::string mount_usage(const std::string& program) {
  return fmt::format(
      "usage: {} MGMTD_HOST[:PORT] MOUNTPOINT [-o OPTIONS] [-f] [-d] [--log-file FILE] [--log-level LEVEL]\n"
      "\n"
      "Mounts the combfs cluster managed by the mgmtd at MGMTD_HOST (port 8008 by default).\n"
      "\n"
      "options:\n"
      "  -o secret=FILE         the cluster's shared secret file (default {})\n"
      "  -o attr_timeout=S      seconds the kernel caches attributes (default 1)\n"
      "  -o entry_timeout=S     seconds the kernel caches names (default 1)\n"
      "  -o parallel_writes=off|wronly|shared   opens whose writes to one file run in parallel\n"
      "                         (direct I/O; default wronly): wronly = O_WRONLY opens; shared = also\n"
      "                         O_RDWR opens of a file with other writers (no shared mmap there)\n"
      "  -o no_write_behind     page-cache writes wait for the targets before write(2) returns\n"
      "                         (default: they go behind; close and fsync wait and report errors)\n"
      "  -o log_file=FILE, log_level=LEVEL   same as --log-file / --log-level\n"
      "  -o max_threads=N, max_idle_threads=N   FUSE worker threads (default 64 / 16)\n"
      "  -o owner_only          only the user who mounted may use the mount (default when root\n"
      "                         mounts: every user, permissions checked as on any file system)\n"
      "  -o allow_other         every user, also when a non-root user mounts (needs\n"
      "                         user_allow_other in /etc/fuse.conf)\n"
      "  -o ro, ...             passed to FUSE / the kernel\n"
      "  -f                     stay in the foreground\n"
      "  -d                     foreground with FUSE request trace\n"
      "  --log-file FILE        log here (default: stderr with -f, syslog otherwise)\n"
      "  --log-level LEVEL      trace, debug, info, warn (default), error\n",
      program, kDefaultSecretFile);
}

bool allows_other_users(const MountOptions& o, unsigned euid) {
  switch (o.other_users) {
    case OtherUsers::kAllowed: return true;
    case OtherUsers::kOwnerOnly: return false;
    case OtherUsers::kAuto: return euid == 0;
  }
  return false;
}

Result<MountOptions> parse_mount_args(int argc, const char* const* argv) {
  MountOptions o;
  if (argc > 0 && argv[0]) {
    std::string p = argv[0];
    auto slash = p.rfind('/');
    o.program = slash == std::string::npos ? p : p.substr(slash + 1);
  }
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&](const std::string& flag) -> Result<std::string> {
      if (i + 1 >= argc) return error(proto::INVALID_ARGUMENT, fmt::format("{} needs a value", flag));
      return std::string(argv[++i]);
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "-o") {
      COMBFS_CHECK(apply_option_list(o, COMBFS_TRY(next("-o"))));
    } else if (starts_with(a, "-o") && a.size() > 2) {
      COMBFS_CHECK(apply_option_list(o, a.substr(2)));
    } else if (a == "--log-file") {
      o.log_file = COMBFS_TRY(next(a));
    } else if (starts_with(a, "--log-file=")) {
      o.log_file = a.substr(11);
    } else if (a == "--log-level") {
      o.log_level = COMBFS_TRY(next(a));
    } else if (starts_with(a, "--log-level=")) {
      o.log_level = a.substr(12);
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      // Short flags, possibly combined as mount(8) does ("-nv"). -s (sloppy),
      // -n (no mtab) and -v (verbose) come from mount(8) and change nothing here.
      for (size_t k = 1; k < a.size(); ++k) {
        char c = a[k];
        if (c == 'f') {
          o.foreground = true;
        } else if (c == 'd') {
          o.debug = true;
          o.foreground = true;
        } else if (c == 's' || c == 'n' || c == 'v') {
        } else {
          return error(proto::INVALID_ARGUMENT, fmt::format("unknown option -{}", c));
        }
      }
    } else if (starts_with(a, "--")) {
      return error(proto::INVALID_ARGUMENT, fmt::format("unknown option {}", a));
    } else {
      positional.push_back(a);
    }
  }
  if (o.help) return o;
  if (positional.size() != 2)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("expected MGMTD_HOST[:PORT] and MOUNTPOINT, got {} argument(s)", positional.size()));
  o.mgmtd = positional[0];
  o.mountpoint = positional[1];
  return o;
}

}  // namespace combfs::fuse
