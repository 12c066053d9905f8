#include "tests/posix/suite.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace combfs::posix {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out.push_back(char(ch));
    } else {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  return out;
}

// Runs `body` in a child process and returns the lines it recorded. The child
// writes them to a pipe when `body` returns.
std::vector<std::string> in_child(const std::function<void(std::vector<std::string>&)>& body,
                                  std::chrono::seconds timeout) {
  int fds[2];
  if (pipe(fds) != 0) return {"harness: pipe failed: " + errno_name(errno)};
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return {"harness: fork failed: " + errno_name(errno)};
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    std::vector<std::string> lines;
    body(lines);
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    size_t off = 0;
    while (off < all.size()) {
      ssize_t n = write(fds[1], all.data() + off, all.size() - off);
      if (n <= 0) break;
      off += size_t(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string all;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, int(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    all.append(buf, size_t(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(all.substr(start, nl - start));
  if (timed_out) lines.push_back("harness: timed out after " + std::to_string(timeout.count()) + " s");
  if (WIFSIGNALED(status)) lines.push_back("harness: killed by signal " + std::to_string(WTERMSIG(status)));
  return lines;
}

bool switch_user(uid_t uid, gid_t gid, const std::vector<gid_t>& groups, std::vector<std::string>& lines) {
  if (setgroups(groups.size(), groups.data()) != 0 && !(groups.empty() && getuid() != 0)) {
    lines.push_back("as: setgroups: " + errno_name(errno));
    return false;
  }
  if (setgid(gid) != 0 || setuid(uid) != 0) {
    lines.push_back("as: cannot switch to " + std::to_string(uid) + ": " + errno_name(errno));
    return false;
  }
  return true;
}

}  // namespace

std::vector<Case>& all_cases() {
  static std::vector<Case> cases;
  return cases;
}

std::string errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "errno" + std::to_string(err);
}

long Ctx::sys(const std::string& label, long rc) {
  int err = errno;
  lines_->push_back(label + ": " + (rc >= 0 ? std::string("ok") : errno_name(err)));
  errno = err;
  return rc;
}

void Ctx::val(const std::string& label, const std::string& value) { lines_->push_back(label + " = " + escape(value)); }
void Ctx::val(const std::string& label, long long value) { lines_->push_back(label + " = " + std::to_string(value)); }

void Ctx::mode(const std::string& label, const std::string& rel) {
  struct stat st;
  if (lstat(p(rel).c_str(), &st) != 0) return val(label, errno_name(errno));
  char buf[16];
  snprintf(buf, sizeof buf, "0%06o", unsigned(st.st_mode));
  val(label, buf);
}

void Ctx::owner(const std::string& label, const std::string& rel) {
  struct stat st;
  if (lstat(p(rel).c_str(), &st) != 0) return val(label, errno_name(errno));
  val(label, std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid));
}

void Ctx::size(const std::string& label, const std::string& rel) {
  struct stat st;
  if (lstat(p(rel).c_str(), &st) != 0) return val(label, errno_name(errno));
  val(label, (long long)st.st_size);
}

void Ctx::nlink(const std::string& label, const std::string& rel) {
  struct stat st;
  if (lstat(p(rel).c_str(), &st) != 0) return val(label, errno_name(errno));
  val(label, (long long)st.st_nlink);
}

int Ctx::open_close(const std::string& rel, int flags, mode_t mode) {
  int fd = open(p(rel).c_str(), flags, mode);
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  return -1;
}

bool Ctx::make_file(const std::string& rel, const std::string& content, mode_t mode) {
  int fd = open(p(rel).c_str(), O_CREAT | O_TRUNC | O_WRONLY, mode);
  if (fd < 0) {
    sys("make_file " + rel, -1);
    return false;
  }
  bool ok = write(fd, content.data(), content.size()) == ssize_t(content.size());
  if (!ok) sys("make_file write " + rel, -1);
  close(fd);
  return ok;
}

std::string Ctx::content(const std::string& rel) {
  int fd = open(p(rel).c_str(), O_RDONLY);
  if (fd < 0) return "<" + errno_name(errno) + ">";
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  if (n < 0) out = "<" + errno_name(errno) + ">";
  close(fd);
  return out;
}

void Ctx::as(uid_t uid, gid_t gid, const std::vector<gid_t>& groups, const std::function<void(Ctx&)>& fn) {
  std::string dir = dir_;
  auto lines = in_child(
      [&](std::vector<std::string>& out) {
        if (!switch_user(uid, gid, groups, out)) return;
        Ctx child(dir, uid == 0, &out);
        fn(child);
      },
      std::chrono::seconds(60));
  for (auto& l : lines) lines_->push_back("[" + std::to_string(uid) + "] " + l);
}

std::vector<std::string> run_case(const Case& c, const std::string& dir, bool root) {
  return in_child(
      [&](std::vector<std::string>& out) {
        umask(022);
        if (!root && !switch_user(kUser, kGroup, {}, out)) return;
        if (chdir(dir.c_str()) != 0) {
          out.push_back("harness: chdir " + dir + ": " + errno_name(errno));
          return;
        }
        Ctx ctx(dir, root, &out);
        c.fn(ctx);
      },
      std::chrono::seconds(60));
}

}  // namespace combfs::posix
