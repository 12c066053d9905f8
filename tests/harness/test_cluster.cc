#include "tests/harness/test_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#ifndef COMBFS_BIN_DIR
#error "COMBFS_BIN_DIR must be defined to the directory with the combfs programs"
#endif

namespace combfs::test {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::AssertionFailure;
using testing::AssertionResult;
using testing::AssertionSuccess;

namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text, int lines) {
  size_t pos = text.size();
  for (int i = 0; i <= lines && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

std::string random_hex(size_t bytes) {
  std::random_device rd;
  std::string s;
  static const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xff;
    s += hex[v >> 4];
    s += hex[v & 15];
  }
  return s;
}

// Mount points listed in /proc/self/mountinfo (field 5, octal escapes decoded).
std::vector<std::string> mount_points() {
  std::vector<std::string> result;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string f, point;
    for (int i = 0; i < 5 && fields >> f; ++i) point = f;
    std::string decoded;
    for (size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        decoded += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        decoded += point[i];
      }
    }
    result.push_back(decoded);
  }
  return result;
}

}  // namespace

TestCluster::TestCluster() = default;

TestCluster::~TestCluster() {
  if (testing::Test::HasFailure() && !dir_.empty()) {
    std::cerr << "---- combfs test cluster in " << dir_ << ": log tails ----\n" << logs() << "---- end of logs ----\n";
  }
  shutdown();
}

std::string TestCluster::bin(const std::string& name) {
  const char* env = std::getenv("COMBFS_BIN_DIR");
  return std::string(env && *env ? env : COMBFS_BIN_DIR) + "/" + name;
}

std::string TestCluster::mgmtd_address() const { return "127.0.0.1:" + std::to_string(port("mgmtd")); }

uint16_t TestCluster::port(const std::string& name) const {
  const Proc* p = find(name);
  return p ? p->port : 0;
}

std::vector<std::string> TestCluster::daemon_names() const {
  std::vector<std::string> names;
  for (const auto& p : procs_)
    if (!p.port_file.empty()) names.push_back(p.name);
  return names;
}

TestCluster::Proc* TestCluster::find(const std::string& name) {
  for (auto& p : procs_)
    if (p.name == name) return &p;
  return nullptr;
}

const TestCluster::Proc* TestCluster::find(const std::string& name) const {
  return const_cast<TestCluster*>(this)->find(name);
}

AssertionResult TestCluster::start(const ClusterOptions& options) {
  options_ = options;
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/combfs-test-XXXXXX";
  if (!mkdtemp(templ.data())) return AssertionFailure() << "mkdtemp " << templ << ": " << strerror(errno);
  dir_ = templ;
  std::error_code ec;
  for (const char* sub : {"logs", "run"}) fs::create_directories(dir_ + "/" + sub, ec);
  secret_file_ = make_secret_file("secret");
  if (secret_file_.empty()) return AssertionFailure() << "cannot write the secret file in " << dir_;

  auto result = start_daemon("mgmtd", {bin("combfs-mgmtd"), "--secret-file", secret_file_, "--data-dir",
                                       dir_ + "/mgmtd", "--bind", "127.0.0.1", "--port", "0"});
  if (!result) return result;

  // The stored daemons first (in parallel), then metad: metad places new files
  // on the targets of its cached map, so it must first see the map with all
  // targets, or a file created right after start gets fewer targets (or none).
  std::string mgmtd = mgmtd_address();
  std::vector<std::string> storage;
  for (int s = 0; s < options.storage_daemons; ++s) {
    std::string name = "stored" + std::to_string(s);
    std::vector<std::string> argv = {bin("combfs-stored"), "--mgmtd", mgmtd, "--secret-file", secret_file_,
                                     "--data-dir", dir_ + "/" + name, "--bind", "127.0.0.1", "--host",
                                     "127.0.0.1", "--port", "0"};
    for (int t = 0; t < options.targets_per_daemon; ++t) {
      std::string target = dir_ + "/" + name + "/target" + std::to_string(t);
      fs::create_directories(target, ec);
      target_dirs_.push_back(target);
      argv.push_back("--target");
      argv.push_back(target);
    }
    add_daemon(name, std::move(argv));
    if (auto r = launch(procs_.back()); !r) return r;
    storage.push_back(name);
  }
  for (const auto& name : storage)
    if (auto r = wait_ready(*find(name)); !r) return r;

  // The first metad alone, so that it registers first and owns the root;
  // the others together.
  if (auto r = add_metad(0); !r) return r;
  for (int m = 1; m < options.meta_daemons; ++m) {
    add_daemon(metad_name(m), metad_argv(m, {}));
    if (auto r = launch(procs_.back()); !r) return r;
  }
  for (int m = 1; m < options.meta_daemons; ++m)
    if (auto r = wait_ready(*find(metad_name(m))); !r) return r;
  // Metads learn about each other from mgmtd with their next heartbeat (every
  // second); until then directory placement sees only the metads it knew.
  if (options.meta_daemons > 1) std::this_thread::sleep_for(std::chrono::milliseconds(1500));

  if (options.mount) {
    mountpoint_ = make_dir("mnt");
    if (auto r = mount_client(mountpoint_, options.client_options); !r) return r;
  }
  return AssertionSuccess();
}

std::string TestCluster::metad_name(int index) { return index == 0 ? "metad" : "metad" + std::to_string(index); }

std::vector<std::string> TestCluster::metad_argv(int index, const std::vector<std::string>& extra) const {
  std::string name = metad_name(index);
  std::vector<std::string> argv = {bin("combfs-metad"), "--mgmtd", mgmtd_address(), "--secret-file", secret_file_,
                                   "--data-dir", dir_ + "/" + name, "--bind", "127.0.0.1", "--host", "127.0.0.1",
                                   "--port", "0"};
  argv.insert(argv.end(), options_.metad_args.begin(), options_.metad_args.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

AssertionResult TestCluster::add_metad(int index, const std::vector<std::string>& args) {
  return start_daemon(metad_name(index), metad_argv(index, args));
}

void TestCluster::add_daemon(const std::string& name, std::vector<std::string> argv) {
  Proc p{.name = name, .argv = std::move(argv)};
  p.log = dir_ + "/logs/" + name + ".log";
  p.output = dir_ + "/logs/" + name + ".out";
  p.port_file = dir_ + "/run/" + name + ".port";
  p.argv.insert(p.argv.end(), {"--port-file", p.port_file, "--log-file", p.log});
  if (options_.power_loss_model) p.env.push_back("COMBFS_POWERLOSS_DIR=" + dir_ + "/powerloss/" + name);
  procs_.push_back(std::move(p));
}

AssertionResult TestCluster::start_daemon(const std::string& name, std::vector<std::string> argv) {
  add_daemon(name, std::move(argv));
  Proc& added = procs_.back();
  if (auto r = launch(added); !r) return r;
  return wait_ready(added);
}

AssertionResult TestCluster::launch(Proc& p) {
  if (!p.port_file.empty()) unlink(p.port_file.c_str());
  std::string error;
  p.pid = spawn(p.argv, p.output, &error, p.env);
  if (p.pid < 0) return AssertionFailure() << "cannot start " << p.name << ": " << error;
  return AssertionSuccess();
}

AssertionResult TestCluster::wait_ready(Proc& p) {
  auto deadline = Clock::now() + options_.startup_timeout;
  for (;;) {
    std::string text = slurp(p.port_file);
    int port = std::atoi(text.c_str());
    if (port > 0 && port < 65536) {
      p.port = static_cast<uint16_t>(port);
      return AssertionSuccess();
    }
    int status = 0;
    if (!still_running(p.pid, &status)) {
      p.pid = -1;
      return AssertionFailure() << p.name << " exited with code " << exit_code_of(status)
                                << " before writing its port file.";
    }
    if (Clock::now() > deadline)
      return AssertionFailure() << p.name << " wrote no port file to " << p.port_file << " within "
                                << options_.startup_timeout.count() << " s.";
    std::this_thread::sleep_for(kPoll);
  }
}

bool TestCluster::is_mountpoint(const std::string& path) {
  struct stat self, parent;
  if (stat(path.c_str(), &self) != 0) return errno == ENOTCONN;  // a dead FUSE mount is still a mount
  if (stat((path + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev;
}

AssertionResult TestCluster::mount_client(const std::string& path, const std::string& options) {
  std::string opts = "secret=" + secret_file_;
  if (!options.empty()) opts += "," + options;
  std::string name = client_name(path);
  std::string file = name == "client" ? "client" : "client-" + fs::path(path).filename().string();
  Proc* existing = find(name);
  if (!existing) {
    procs_.push_back(Proc{.name = name});
    existing = &procs_.back();
  }
  Proc& p = *existing;
  p.log = dir_ + "/logs/" + file + ".log";
  p.output = dir_ + "/logs/" + file + ".out";
  p.argv = {bin("combfs-client"), mgmtd_address(), path, "-o", opts, "-f", "--log-file", p.log};
  if (auto r = launch(p); !r) return r;
  return wait_mounted(p, path);
}

std::string TestCluster::client_name(const std::string& path) const {
  return path == mountpoint_ ? "client" : "client:" + path;
}

AssertionResult TestCluster::wait_mounted(Proc& p, const std::string& path) {
  auto deadline = Clock::now() + options_.startup_timeout;
  for (;;) {
    if (is_mountpoint(path)) return AssertionSuccess();
    int status = 0;
    if (!still_running(p.pid, &status)) {
      p.pid = -1;
      return AssertionFailure() << "combfs-client for " << path << " exited with code " << exit_code_of(status) << " before the mount appeared.";
    }
    if (Clock::now() > deadline)
      return AssertionFailure() << "no mount at " << path << " within " << options_.startup_timeout.count() << " s.";
    std::this_thread::sleep_for(kPoll);
  }
}

AssertionResult TestCluster::unmount(const std::string& path) {
  std::string why;
  if (is_mountpoint(path)) {
    auto r = run_command({"fusermount3", "-u", path}, std::chrono::seconds(20));
    if (r.exit_code != 0) {
      why = "fusermount3 -u: " + r.describe();
      run_command({"umount", "-l", path}, std::chrono::seconds(20));
    }
  }
  // A foreground client exits by itself once its mount is gone.
  if (Proc* p = find(client_name(path)); p && p->pid > 0) {
    if (!wait_exit(p->pid, std::chrono::seconds(10))) terminate(p->pid, std::chrono::seconds(5));
    p->pid = -1;
  }
  if (is_mountpoint(path)) return AssertionFailure() << "cannot unmount " << path << ": " << why;
  return AssertionSuccess();
}

AssertionResult TestCluster::remount() {
  if (auto r = unmount(mountpoint_); !r) return r;
  return mount_client(mountpoint_, options_.client_options);
}

CommandResult TestCluster::run_fsctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {bin("fsctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, std::chrono::seconds(60));
}

CommandResult TestCluster::run_fsctl_admin(const std::vector<std::string>& args) const {
  // Global options go before the subcommand.
  std::vector<std::string> all = {"--mgmtd", mgmtd_address(), "--secret-file", secret_file_};
  all.insert(all.end(), args.begin(), args.end());
  return run_fsctl(all);
}

EntryInfo TestCluster::entry_info(const std::string& path) const {
  auto r = run_fsctl({"getentryinfo", path});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  auto parsed = parse_entry_info(r.out);
  EXPECT_TRUE(parsed) << "unparsable getentryinfo output:\n" << r.out;
  return parsed.value_or(EntryInfo{});
}

std::map<uint32_t, std::string> TestCluster::target_paths() const {
  auto r = run_fsctl_admin({"listtargets"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return parse_target_paths(r.out);
}

std::string TestCluster::make_dir(const std::string& name) const {
  std::string path = dir_ + "/" + name;
  std::error_code ec;
  fs::create_directories(path, ec);
  return path;
}

std::string TestCluster::make_secret_file(const std::string& name, mode_t mode) const {
  std::string path = dir_ + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "";
  std::string secret = random_hex(32) + "\n";
  bool ok = write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  ok = fchmod(fd, mode) == 0 && ok;
  close(fd);
  return ok ? path : "";
}

bool TestCluster::alive(const std::string& name) {
  Proc* p = find(name);
  if (!p || p->pid <= 0) return false;
  if (still_running(p->pid)) return true;
  p->pid = -1;
  return false;
}

pid_t TestCluster::pid(const std::string& name) const {
  const Proc* p = find(name);
  return p ? p->pid : -1;
}

AssertionResult TestCluster::stop_daemon(const std::string& name) {
  Proc* p = find(name);
  if (!p) return AssertionFailure() << "no daemon named " << name;
  if (p->pid <= 0) return AssertionSuccess();
  kill(p->pid, SIGTERM);
  int status = 0;
  bool exited = wait_exit(p->pid, std::chrono::seconds(15), &status);
  if (!exited) {
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
  }
  p->pid = -1;
  if (!exited) return AssertionFailure() << name << " did not exit within 15 s of SIGTERM (killed)";
  return AssertionSuccess();
}

void TestCluster::kill_daemon(const std::string& name) {
  Proc* p = find(name);
  if (!p || p->pid <= 0) return;
  kill(p->pid, SIGKILL);
  waitpid(p->pid, nullptr, 0);
  p->pid = -1;
}

AssertionResult TestCluster::restart_daemon(const std::string& name, bool wait) {
  Proc* p = find(name);
  if (!p || p->port_file.empty()) return AssertionFailure() << "no daemon named " << name;
  if (p->pid > 0) return AssertionFailure() << name << " is still running";
  // Keep the port: the others know this daemon by its address.
  auto it = std::find(p->argv.begin(), p->argv.end(), "--port");
  if (it != p->argv.end() && it + 1 != p->argv.end()) *(it + 1) = std::to_string(p->port);
  if (auto r = launch(*p); !r) return r;
  return wait ? wait_ready(*p) : AssertionSuccess();
}

bool TestCluster::remove_option(const std::string& name, const std::string& option) {
  Proc* p = find(name);
  if (!p) return false;
  auto it = std::find(p->argv.begin(), p->argv.end(), option);
  if (it == p->argv.end()) return false;
  p->argv.erase(it, it + 1 + (it + 1 != p->argv.end() ? 1 : 0));
  return true;
}

bool TestCluster::add_option(const std::string& name, const std::string& option, const std::string& value) {
  Proc* p = find(name);
  if (!p) return false;
  p->argv.insert(p->argv.end(), {option, value});
  return true;
}

AssertionResult TestCluster::wait_ready(const std::string& name) {
  Proc* p = find(name);
  if (!p || p->port_file.empty()) return AssertionFailure() << "no daemon named " << name;
  return wait_ready(*p);
}

AssertionResult TestCluster::wait_listening(const std::string& name) {
  Proc* p = find(name);
  if (!p || p->port == 0) return AssertionFailure() << "no daemon named " << name << " with a known port";
  auto deadline = Clock::now() + options_.startup_timeout;
  for (;;) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(p->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return AssertionSuccess();
    if (p->pid <= 0 || !still_running(p->pid)) return AssertionFailure() << name << " is not running.";
    if (Clock::now() > deadline)
      return AssertionFailure() << name << " does not accept connections on port " << p->port << ".";
    std::this_thread::sleep_for(kPoll);
  }
}

bool TestCluster::set_env(const std::string& name, const std::string& variable, const std::string& value) {
  if (!unset_env(name, variable)) return false;
  find(name)->env.push_back(variable + "=" + value);
  return true;
}

bool TestCluster::unset_env(const std::string& name, const std::string& variable) {
  Proc* p = find(name);
  if (!p) return false;
  std::erase_if(p->env, [&](const std::string& e) { return e.substr(0, e.find('=')) == variable; });
  return true;
}

std::string TestCluster::powerloss_dir(const std::string& name) const {
  return options_.power_loss_model && find(name) ? dir_ + "/powerloss/" + name : "";
}

void TestCluster::kill_all() {
  for (auto& p : procs_) {
    if (p.pid <= 0) continue;
    kill(p.pid, SIGKILL);
    waitpid(p.pid, nullptr, 0);
    p.pid = -1;
  }
  std::vector<std::string> mounts;
  for (const auto& m : mount_points())
    if (m.starts_with(dir_ + "/")) mounts.push_back(m);
  for (const auto& m : mounts) unmount(m);
}

AssertionResult TestCluster::restart_all() {
  for (const auto& name : daemon_names())
    if (auto r = restart_daemon(name); !r) return r;
  if (!options_.mount) return AssertionSuccess();
  return mount_client(mountpoint_, options_.client_options);
}

std::string TestCluster::log_file(const std::string& name) const {
  const Proc* p = find(name);
  return p ? p->log : "";
}

std::string TestCluster::log_text(const std::string& name) const {
  const Proc* p = find(name);
  return p ? slurp(p->log) + slurp(p->output) : "";
}

bool TestCluster::wait_for_log(const std::string& name, const std::string& needle,
                               std::chrono::milliseconds timeout) const {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (log_text(name).find(needle) != std::string::npos) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string TestCluster::logs(int lines) const {
  std::string out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir_ + "/logs", ec)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::string text = slurp(f.string());
    if (text.empty()) continue;
    out += "== " + f.filename().string() + " (last " + std::to_string(lines) + " lines) ==\n";
    out += tail(text, lines);
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

void TestCluster::shutdown() {
  if (dir_.empty()) return;
  // Every mount under our directory, deepest first: also those of clients that
  // daemonized (which we do not track as children).
  std::vector<std::string> mounts;
  for (const auto& m : mount_points())
    if (m.starts_with(dir_ + "/")) mounts.push_back(m);
  std::sort(mounts.rbegin(), mounts.rend());
  for (const auto& m : mounts) unmount(m);
  // Clients first, then storage and metadata, mgmtd last.
  for (auto it = procs_.rbegin(); it != procs_.rend(); ++it) {
    if (it->pid > 0) kill(it->pid, SIGTERM);
  }
  auto deadline = Clock::now() + std::chrono::seconds(10);
  for (auto& p : procs_) {
    if (p.pid <= 0) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (!wait_exit(p.pid, std::max(left, std::chrono::milliseconds(0)))) {
      std::cerr << "combfs test cluster: " << p.name << " ignored SIGTERM for 10 s; killing it\n";
      kill(p.pid, SIGKILL);
      waitpid(p.pid, nullptr, 0);
    }
    p.pid = -1;
  }
  bool mounted = false;
  for (const auto& m : mount_points()) mounted |= m.starts_with(dir_ + "/");
  if (mounted) {
    std::cerr << "combfs test cluster: a mount under " << dir_ << " is still present; leaving the directory\n";
  } else if (std::getenv("COMBFS_KEEP_TEST_DIR")) {
    std::cerr << "combfs test cluster: kept " << dir_ << " (COMBFS_KEEP_TEST_DIR)\n";
  } else {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  dir_.clear();
}

}  // namespace combfs::test
