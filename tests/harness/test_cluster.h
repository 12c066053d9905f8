// A whole combfs cluster of real processes on loopback for integration tests:
// mgmtd, M metads, N stored daemons with K targets each and a FUSE mount, all
// under one fresh temporary directory. Each test starts its own cluster, so tests
// run in parallel without sharing anything.
//
//   TestCluster cluster;
//   ASSERT_TRUE(cluster.start({.storage_daemons = 2, .targets_per_daemon = 2}));
//   write_file(cluster.mountpoint() + "/f", ...);
//
// The destructor unmounts, stops every process it started (SIGTERM, then
// SIGKILL) and removes the directory; when the current test has failed it first
// prints the tail of every daemon's log. Children die with the test process
// (PR_SET_PDEATHSIG), so even a crashed test leaks no daemons.
//
// Programs come from COMBFS_BIN_DIR (compile definition; the environment
// variable of the same name overrides it).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/harness/fsctl_output.h"
#include "tests/harness/process.h"

namespace combfs::test {

struct ClusterOptions {
  int storage_daemons = 2;
  int targets_per_daemon = 2;
  // Metadata daemons "metad" (started first: it owns the root), "metad1", ...
  int meta_daemons = 1;
  std::vector<std::string> metad_args{};  // extra arguments for every metad, e.g. {"--dir-placement", "random"}
  bool mount = true;           // mount the client at mountpoint()
  std::string client_options{};  // extra -o options for the client, e.g. "attr_timeout=0"
  std::chrono::seconds startup_timeout{30};  // per daemon / mount
  // Every daemon stores through the power-loss model (common/env/power_loss.h)
  // with its own directory, powerloss_dir(name); see tests/harness/power_loss.h.
  bool power_loss_model = false;
};

class TestCluster {
 public:
  TestCluster();
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  // Creates the directory and secret, starts mgmtd, the stored daemons, metad
  // and (options.mount) the client. Fails with a message saying which step failed
  // (the destructor then prints the logs' tails).
  testing::AssertionResult start(const ClusterOptions& options = {});

  const std::string& dir() const { return dir_; }
  const std::string& mountpoint() const { return mountpoint_; }
  const std::vector<std::string>& target_dirs() const { return target_dirs_; }
  const std::string& secret_file() const { return secret_file_; }
  std::string mgmtd_address() const;           // "127.0.0.1:PORT"
  uint16_t port(const std::string& name) const;  // 0 when unknown
  std::vector<std::string> daemon_names() const;  // "mgmtd", "stored0", ..., "metad", "metad1", ...
  static std::string metad_name(int index);       // "metad" for 0, else "metad<index>"
  // Adds and starts one more metad (named metad_name(index)) with `args` after
  // the common ones, and waits until it is ready.
  testing::AssertionResult add_metad(int index, const std::vector<std::string>& args = {});

  // Full path of a program in the build's bin directory.
  static std::string bin(const std::string& name);

  // fsctl with exactly these arguments (path commands need no cluster flags).
  CommandResult run_fsctl(const std::vector<std::string>& args) const;
  // fsctl with --mgmtd and --secret-file before `args` (listnodes, listtargets...).
  CommandResult run_fsctl_admin(const std::vector<std::string>& args) const;
  // `fsctl getentryinfo path`, parsed; a failed or unparsable run fails the
  // test (EXPECT) and gives an empty EntryInfo.
  EntryInfo entry_info(const std::string& path) const;
  // `fsctl listtargets`: target id -> its directory; a failed run fails the
  // test (EXPECT) and gives none.
  std::map<uint32_t, std::string> target_paths() const;

  // A new empty directory under dir() for the test's own use.
  std::string make_dir(const std::string& name) const;
  // Writes a new secret file with random contents and the given mode.
  std::string make_secret_file(const std::string& name, mode_t mode = 0600) const;

  // Mounts another client (foreground child) at `path` and waits until the
  // mount is live. `options` is appended to -o secret=....
  testing::AssertionResult mount_client(const std::string& path, const std::string& options = "");
  // fusermount3 -u (fallback umount -l) and waits for that client to exit.
  testing::AssertionResult unmount(const std::string& path);
  // Unmounts and mounts the main client again: nothing stays in any kernel cache.
  testing::AssertionResult remount();

  // Daemons by name. For fault tests.
  bool alive(const std::string& name);
  pid_t pid(const std::string& name) const;
  testing::AssertionResult stop_daemon(const std::string& name);  // SIGTERM and wait
  void kill_daemon(const std::string& name);                      // SIGKILL and reap
  // Starts a stopped daemon again with the same arguments and port, and (when
  // `wait`) waits until it is ready (its port file is written).
  testing::AssertionResult restart_daemon(const std::string& name, bool wait = true);
  // Removes `option` and the value after it from a daemon's command line, for
  // its next restart (e.g. a test-only --crash-at). False when it had none.
  bool remove_option(const std::string& name, const std::string& option);
  // Adds `option` and `value` to a daemon's command line, for its next restart.
  bool add_option(const std::string& name, const std::string& option, const std::string& value);
  // Waits until a (re)started daemon has written its port file.
  testing::AssertionResult wait_ready(const std::string& name);
  // Waits until a daemon accepts TCP connections on its port (it may not be
  // ready yet: a stored daemon listens before it has registered).
  testing::AssertionResult wait_listening(const std::string& name);

  // Sets or removes an environment variable of a daemon for its next (re)start.
  bool set_env(const std::string& name, const std::string& variable, const std::string& value);
  bool unset_env(const std::string& name, const std::string& variable);
  // The daemon's COMBFS_POWERLOSS_DIR when options.power_loss_model is set, else "".
  std::string powerloss_dir(const std::string& name) const;
  // SIGKILL for every process of the cluster, clients too, and the dead mounts
  // unmounted: what a node crash or a power cut leaves.
  void kill_all();
  // Starts every daemon again in the order of start(), each once the one before
  // is ready, and mounts the main client again.
  testing::AssertionResult restart_all();

  std::string log_file(const std::string& name) const;
  std::string log_text(const std::string& name) const;
  // Polls the daemon's log until it contains `needle`.
  bool wait_for_log(const std::string& name, const std::string& needle,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // The last `lines` lines of every log file, for failure messages.
  std::string logs(int lines = 40) const;

  static bool is_mountpoint(const std::string& path);

 private:
  struct Proc {
    std::string name{};
    std::vector<std::string> argv{};
    std::string log{};        // --log-file
    std::string output{};     // stdout and stderr
    std::string port_file{};  // empty for clients
    EnvChanges env{};
    uint16_t port = 0;
    pid_t pid = -1;
  };

  std::string client_name(const std::string& path) const;  // "client" for mountpoint()
  std::vector<std::string> metad_argv(int index, const std::vector<std::string>& extra) const;
  Proc* find(const std::string& name);
  const Proc* find(const std::string& name) const;
  testing::AssertionResult launch(Proc& p);
  testing::AssertionResult wait_ready(Proc& p);
  testing::AssertionResult wait_mounted(Proc& p, const std::string& path);
  // Adds a daemon with the port/log file options every daemon gets; start_daemon also starts it and waits.
  void add_daemon(const std::string& name, std::vector<std::string> argv);
  testing::AssertionResult start_daemon(const std::string& name, std::vector<std::string> argv);
  void shutdown();

  ClusterOptions options_;
  std::string dir_;
  std::string secret_file_;
  std::string mountpoint_;
  std::vector<std::string> target_dirs_;
  // Start order. The main client is "client", others "client:<path>".
  std::vector<Proc> procs_;
};

}  // namespace combfs::test
