// combfs-durability-workload: the program the power-loss tests run on the
// mount while they crash daemons. It logs each call that returned to a
// durability log (tests/fault/durability_log.h) on a local disk, so that after
// the power loss the test knows what the file system owed it.
//
//   combfs-durability-workload run <mount> <dir> <log> <iterations> <seed>
//     mkdir <dir> with subdirectories a and b<N> on different metads when
//     there are several, then per iteration: a file written and fsynced (kept),
//     an fsynced temp file renamed over b<N>/current (across metads), a file
//     unlinked, a hard link, a file written without fsync and, every fourth
//     time, fsync of both directories. A failing call is reported on stderr
//     and the workload goes on with the next step: after a crash some fail.
//   combfs-durability-workload probe <mount> <dir> <count>
//     creates <count> new files in <dir> and prints their entry ids, one a line.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "tests/harness/data.h"

namespace {

using combfs::test::make_data;
using combfs::test::write_fully;

std::string g_mount;
int g_log = -1;

std::string full(const std::string& rel) { return g_mount + "/" + rel; }

// One line, one write(2): the kernel has it even when this process is killed.
void log(const std::string& line) {
  std::string text = line + "\n";
  if (write(g_log, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    perror("durability log");
    std::exit(2);
  }
}

bool failed(const std::string& what, int err) {
  std::fprintf(stderr, "durability workload: %s: %s\n", what.c_str(), std::strerror(err));
  return false;
}

// A field of the mount's entryinfo attribute ("entry", "owner"), "" if missing.
std::string entryinfo_field(const std::string& rel, const std::string& name) {
  std::string value(4096, '\0');
  ssize_t n = lgetxattr(full(rel).c_str(), "user.combfs.entryinfo", value.data(), value.size());
  if (n < 0) return "";
  value.resize(static_cast<size_t>(n));
  std::istringstream fields(value);
  for (std::string f; fields >> f;)
    if (f.starts_with(name + "=")) return f.substr(name.size() + 1);
  return "";
}

bool make_dir(const std::string& rel) {
  if (mkdir(full(rel).c_str(), 0755) != 0) return failed("mkdir " + rel, errno);
  log("mkdir " + rel);
  return true;
}

// Creates `rel`, writes make_data(seed, size) and, when `sync`, fsyncs it.
bool write_new(const std::string& rel, uint64_t seed, size_t size, bool sync) {
  int fd = open(full(rel).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return failed("create " + rel, errno);
  std::string entry = entryinfo_field(rel, "entry");
  if (entry.empty()) {
    failed("entry id of " + rel, errno);
    close(fd);
    return false;
  }
  log("create " + rel + " " + entry);
  int err = write_fully(fd, make_data(seed, size), 0);
  if (err == 0 && sync && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  if (err != 0) return failed("write " + rel, err);
  if (sync) log("fsync " + rel + " " + std::to_string(seed) + " " + std::to_string(size));
  return true;
}

bool sync_dir(const std::string& rel) {
  int fd = open(full(rel).c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return failed("open " + rel, errno);
  int err = fsync(fd) == 0 ? 0 : errno;
  close(fd);
  if (err != 0) return failed("fsync " + rel, err);
  log("dirsync " + rel);
  return true;
}

bool two_step(const std::string& op, const std::string& src, const std::string& dst) {
  log(op + "-begin " + src + (dst.empty() ? "" : " " + dst));
  int rc = op == "rename" ? rename(full(src).c_str(), full(dst).c_str())
           : op == "link" ? link(full(src).c_str(), full(dst).c_str())
                          : unlink(full(src).c_str());
  if (rc != 0) return failed(op + " " + src + " " + dst, errno);
  log(op + " " + src + (dst.empty() ? "" : " " + dst));
  return true;
}

// Makes <dir>, <dir>/a and directories <dir>/b0, b1... until one lands on
// another metad than a (at most 16 tries); returns the last ("" on failure).
std::string make_dirs(const std::string& dir) {
  if (!make_dir(dir) || !make_dir(dir + "/a")) return "";
  std::string owner = entryinfo_field(dir + "/a", "owner");
  std::string b;
  for (int i = 0; i < 16; ++i) {
    b = dir + "/b" + std::to_string(i);
    if (!make_dir(b)) return "";
    if (entryinfo_field(b, "owner") != owner) break;
  }
  return b;
}

int run(const std::string& dir, int iterations, uint64_t seed) {
  std::string a = dir + "/a", b = make_dirs(dir);
  if (b.empty()) return 1;
  for (int i = 0; i < iterations; ++i) {
    std::string n = std::to_string(i);
    uint64_t s = seed * 1000 + static_cast<uint64_t>(i) * 10;
    size_t big = (1u << 20) + (s % 7) * 300'000 + 17;  // over 1 MiB: more than one chunk and target
    write_new(a + "/k" + n, s, big, true);
    if (write_new(a + "/t" + n, s + 1, 70'000 + i, true)) two_step("rename", a + "/t" + n, b + "/current");
    write_new(a + "/v" + n, s + 2, 4096, true);
    if (i > 0) two_step("unlink", a + "/v" + std::to_string(i - 1), "");
    two_step("link", a + "/k" + n, b + "/l" + n);
    write_new(b + "/u" + n, s + 3, 100'000, false);
    if (i % 4 == 3) {
      sync_dir(a);
      sync_dir(b);
    }
  }
  return 0;
}

int probe(const std::string& dir, int count) {
  if (mkdir(full(dir).c_str(), 0755) != 0 && errno != EEXIST) return failed("mkdir " + dir, errno), 1;
  for (int i = 0; i < count; ++i) {
    std::string rel = dir + "/p" + std::to_string(i);
    int fd = open(full(rel).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return failed("create " + rel, errno), 1;
    close(fd);
    std::printf("%s\n", entryinfo_field(rel, "entry").c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "run" && argc == 7) {
    g_mount = argv[2];
    g_log = open(argv[4], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (g_log < 0) return failed(std::string("open ") + argv[4], errno), 2;
    return run(argv[3], std::atoi(argv[5]), std::strtoull(argv[6], nullptr, 10));
  }
  if (mode == "probe" && argc == 5) {
    g_mount = argv[2];
    return probe(argv[3], std::atoi(argv[4]));
  }
  std::fprintf(stderr,
               "usage: combfs-durability-workload run <mount> <dir> <log> <iterations> <seed>\n"
               "       combfs-durability-workload probe <mount> <dir> <count>\n");
  return 2;
}
