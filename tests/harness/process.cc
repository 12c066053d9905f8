#include "tests/harness/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <thread>

namespace combfs::test {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> to_argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// The test's environment with `changes` applied (see EnvChanges); built before
// fork, since the child may only make async-signal-safe calls.
std::vector<std::string> child_environment(const EnvChanges& changes) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> result;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    bool changed = std::any_of(changes.begin(), changes.end(),
                               [&](const std::string& c) { return name_of(c) == name_of(entry); });
    if (!changed) result.push_back(entry);
  }
  for (const auto& c : changes)
    if (c.find('=') != std::string::npos) result.push_back(c);
  return result;
}

// Runs in the forked child before exec: only async-signal-safe calls.
[[noreturn]] void exec_child(pid_t parent, char* const* argv, int out_fd, int err_fd, char* const* envp = environ) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0) dup2(null_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  // The test's own descriptors (files open on the mount, sockets) must not
  // leak into daemons: a daemon holding a file on its own mount blocks unmount.
  close_range(3, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execvpe(argv[0], argv, envp);
  const char* msg = "exec failed: ";
  (void)!write(2, msg, strlen(msg));
  (void)!write(2, argv[0], strlen(argv[0]));
  (void)!write(2, "\n", 1);
  _exit(127);
}

}  // namespace

std::string CommandResult::describe() const {
  std::string s = timed_out ? "timed out" : "exit " + std::to_string(exit_code);
  if (!out.empty()) s += "; stdout: " + out;
  if (!err.empty()) s += "; stderr: " + err;
  return s;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& output_file, std::string* error,
            const EnvChanges& env) {
  int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot open " + output_file + ": " + strerror(errno);
    return -1;
  }
  auto argv = to_argv(args);
  auto environment = child_environment(env);
  auto envp = to_argv(environment);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) exec_child(parent, argv.data(), fd, fd, envp.data());
  int saved = errno;
  close(fd);
  if (pid < 0) *error = std::string("fork failed: ") + strerror(saved);
  return pid;
}

bool still_running(pid_t pid, int* status) {
  int st = 0;
  pid_t r = waitpid(pid, &st, WNOHANG);
  if (r == 0) return true;
  if (r == pid && status) *status = st;
  return false;
}

bool wait_exit(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!still_running(pid, status)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int terminate(pid_t pid, std::chrono::milliseconds grace) {
  int status = 0;
  if (!still_running(pid, &status)) return status;
  kill(pid, SIGTERM);
  if (wait_exit(pid, grace, &status)) return status;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return status;
}

CommandResult run_command(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  CommandResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.err = std::string("pipe: ") + strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = std::string("pipe: ") + strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  auto argv = to_argv(args);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) exec_child(parent, argv.data(), out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    result.err = std::string("fork: ") + strerror(errno);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return result;
  }

  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2;
  int status = 0;
  bool exited = false;
  auto deadline = Clock::now() + timeout;
  Clock::time_point exited_at;
  while (open_pipes > 0) {
    if (!exited && !still_running(pid, &status)) {
      exited = true;
      exited_at = Clock::now();
    }
    // A program that daemonizes may leave a grandchild holding our pipes; once
    // the child itself is gone, wait only briefly for the rest of its output.
    if (exited && Clock::now() - exited_at > std::chrono::seconds(2)) break;
    if (!exited && Clock::now() >= deadline) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      exited = true;
      exited_at = Clock::now();
    }
    if (poll(fds, 2, 50) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, n);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!wait_exit(pid, std::max(left, std::chrono::milliseconds(0)), &status)) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  result.exit_code = exit_code_of(status);
  return result;
}

}  // namespace combfs::test
