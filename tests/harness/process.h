// Child processes for integration tests: long-running daemons whose output goes
// to a file, and short commands whose output the test inspects. Every child gets
// PR_SET_PDEATHSIG(SIGKILL), so a test that crashes never leaks processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace combfs::test {

struct CommandResult {
  int exit_code = -1;  // exit status, 128+signal when killed, -1 when it could not run
  std::string out;
  std::string err;
  bool timed_out = false;

  // "exit 1; stderr: ..." for assertion messages.
  std::string describe() const;
};

// Environment changes for a child: NAME=VALUE entries replace or add that
// variable; a bare NAME removes it. The rest of the test's environment is kept.
using EnvChanges = std::vector<std::string>;

// Starts argv[0] (a path) with stdin from /dev/null and stdout+stderr appended to
// `output_file`, in the test's environment with `env` applied. Returns the pid,
// or -1 with `error` set.
pid_t spawn(const std::vector<std::string>& argv, const std::string& output_file, std::string* error,
            const EnvChanges& env = {});

// Runs argv to completion, capturing stdout and stderr. A command still running
// after `timeout` is killed (timed_out = true).
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Waits up to `timeout` for pid to exit. Returns true (and its wait status in
// *status when given) once it has been reaped.
bool wait_exit(pid_t pid, std::chrono::milliseconds timeout, int* status = nullptr);

// True while pid has not exited. Reaps it when it has, so call it only on our children.
bool still_running(pid_t pid, int* status = nullptr);

// SIGTERM, then SIGKILL after `grace`; always reaps. Returns the wait status.
int terminate(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(10));

// Exit code of a wait status the way shells report it (128+signal when killed).
int exit_code_of(int status);

}  // namespace combfs::test
