// 3.12 API for the loop configuration (max_threads); the operation table is
// the same as in the 3.4 API the other files use.
#define FUSE_USE_VERSION 312
#include "client/fuse/mount.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <vector>

#include "client/fuse/fs.h"
#include "common/log.h"
#include "common/mgmt_client.h"

namespace combfs::fuse {
namespace {

constexpr unsigned kMaxRead = 1u << 20;

void fail(const MountOptions& o, const std::string& message) {
  fmt::print(stderr, "{}: {}\n", o.program, message);
  spdlog::error("{}", message);
}

void setup_logging(const MountOptions& o) {
  if (!o.log_file.empty() || o.foreground) {
    init_logging(o.program, o.log_level, o.log_file);
    return;
  }
  // A daemon without a log file logs to syslog (stderr goes to /dev/null).
  auto logger = spdlog::syslog_logger_mt(o.program, o.program, LOG_PID, LOG_DAEMON);
  logger->set_level(spdlog::level::from_str(o.log_level));
  spdlog::set_default_logger(logger);
}

// Forks; the parent waits until the child reports the mount up (exit 0) or
// failed / died (exit 1). Returns the fd the child reports on, -1 on error.
int daemonize(const MountOptions& o) {
  int fds[2];
  if (pipe(fds) != 0) {
    fail(o, fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    fail(o, fmt::format("cannot fork: {}", std::strerror(errno)));
    return -1;
  }
  if (pid > 0) {
    close(fds[1]);
    char status = 1;
    ssize_t n = read(fds[0], &status, 1);
    _exit(n == 1 && status == 0 ? 0 : 1);
  }
  close(fds[0]);
  setsid();
  return fds[1];
}

// Tells the waiting parent the mount is up, then detaches from the terminal.
void detach(int report_fd) {
  char ok = 0;
  (void)!write(report_fd, &ok, 1);
  close(report_fd);
  (void)!chdir("/");
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
  }
}

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf)) return buf;
  return path;
}

}  // namespace

int run_mount(const MountOptions& o) {
  int report_fd = -1;
  // Fork before any thread exists: the cluster connection runs threads.
  if (!o.foreground && (report_fd = daemonize(o)) < 0) return 1;
  setup_logging(o);

  auto mgmtd = rpc::Endpoint::parse(o.mgmtd, kDefaultMgmtdPort);
  if (!mgmtd) return fail(o, mgmtd.error().message()), 1;
  std::string secret_path = absolute(o.secret_file);
  auto secret = rpc::load_secret(secret_path);
  if (!secret) return fail(o, secret.error().message()), 1;
  struct stat mp;
  if (stat(o.mountpoint.c_str(), &mp) != 0 || !S_ISDIR(mp.st_mode))
    return fail(o, fmt::format("mount point '{}' is not a directory", o.mountpoint)), 1;
  // Absolute, because the daemon leaves its working directory and unmount
  // needs the path again.
  const std::string mountpoint = absolute(o.mountpoint);

  // Signals must reach the main thread (it ends the FUSE loop), not the RPC
  // threads started below, which inherit this mask.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);

  client::ClusterOptions copts;
  copts.name = "client";
  copts.mgmtd = *mgmtd;
  copts.secret = *secret;
  auto cluster = client::Cluster::connect(copts);
  if (!cluster) return fail(o, cluster.error().message()), 1;
  Fs fs(**cluster, FsConfig{o.attr_timeout, o.entry_timeout, mgmtd->to_string(), secret_path, o.parallel_writes, o.write_behind});
  // The root metad must answer too, or every path would fail after mounting.
  auto root = fs.meta.getattr(0, EntryId::root());
  if (!root) {
    auto ep = (*cluster)->meta_endpoint(0);
    return fail(o, fmt::format("the metadata server that owns '/' ({}) does not answer: {}",
                               ep ? ep->to_string() : std::string("unknown"), root.error().message())),
           1;
  }

  std::string opts = fmt::format("default_permissions,fsname=combfs,subtype=combfs,max_read={}", kMaxRead);
  if (allows_other_users(o, geteuid())) opts += ",allow_other";
  for (const auto& extra : o.fuse_options) opts += "," + extra;
  std::vector<std::string> args{o.program, "-o", opts};
  if (o.debug) args.push_back("-d");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());

  fuse_session* se = fuse_session_new(&fargs, &fs_operations(), sizeof(fuse_lowlevel_ops), &fs);
  if (!se) return fail(o, fmt::format("cannot start a FUSE session with options '{}' (see the message above)", opts)), 1;
  fs.session = se;
  fs.mountpoint = mountpoint;
  if (fuse_set_signal_handlers(se) != 0) {
    fuse_session_destroy(se);
    return fail(o, "cannot install signal handlers"), 1;
  }
  if (fuse_session_mount(se, mountpoint.c_str()) != 0) {
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    return fail(o, fmt::format("cannot mount on '{}' (see the message above); is /dev/fuse available and the "
                               "mount point empty and not mounted?",
                               mountpoint)),
           1;
  }
  spdlog::info("mounted combfs from mgmtd {} on {}", mgmtd->to_string(), mountpoint);
  if (report_fd >= 0) detach(report_fd);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  fuse_loop_config* loop = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(loop, o.max_threads);
  fuse_loop_cfg_set_idle_threads(loop, o.max_idle_threads);
  fuse_loop_cfg_set_clone_fd(loop, 0);
  int rc = fuse_session_loop_mt(se, loop);
  fuse_loop_cfg_destroy(loop);

  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  spdlog::info("unmounted {} (loop ended with {})", mountpoint, rc);
  // A signal (rc > 0) is the normal way to stop; a negative rc is an error.
  return rc < 0 ? 1 : 0;
}

}  // namespace combfs::fuse
