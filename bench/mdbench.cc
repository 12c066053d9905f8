// combfs-mdbench: metadata rates of a mounted file system (any POSIX directory).
//
//   combfs-mdbench --dir DIR [--files N] [--procs P] [--time-limit S] [--drop-caches] [--parallel-only]
//
// Two runs, each with five timed phases (create, stat, unlink, mkdir, rmdir):
//   "single":   one process, N entries in one directory;
//   "parallel": P processes, each in its own directory with N/P entries, started
//               together (a pipe barrier), timed from the start signal to the
//               last process's end.
// create = open(O_CREAT|O_EXCL|O_WRONLY) + close of an empty file. stat runs
// after the page/dentry caches are dropped (with --drop-caches, as root), so it
// measures the file system and not the kernel's caches.
// Each phase stops at --time-limit seconds; later phases then work on the
// entries that exist, and the rate is entries done / elapsed time.
// Prints one JSON object (ops/s) on stdout; errors go to stderr, exit 1.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string dir;
  long files = 10000;
  int procs = 4;
  double time_limit = 60;
  bool drop_caches = false;
  bool parallel_only = false;  // skip the one-directory run (scaling runs only need the parallel one)
};

enum Phase { kCreate, kStat, kUnlink, kMkdir, kRmdir, kPhases };
const char* const kPhaseNames[kPhases] = {"create", "stat", "unlink", "mkdir", "rmdir"};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "combfs-mdbench: %s\n", what.c_str());
  std::exit(1);
}

[[noreturn]] void die_errno(const std::string& what) { die(what + ": " + std::strerror(errno)); }

void usage() {
  std::fprintf(stderr,
               "usage: combfs-mdbench --dir DIR [--files N] [--procs P] [--time-limit S] [--drop-caches] [--parallel-only]\n"
               "  --dir DIR         directory on the file system to measure (created; must be empty or absent)\n"
               "  --files N         entries per run (default 10000; split over the processes in the parallel run)\n"
               "  --procs P         processes in the parallel run (default 4)\n"
               "  --time-limit S    stop each phase after S seconds (default 60)\n"
               "  --drop-caches     drop the kernel's caches before the stat phase (needs root)\n"
               "  --parallel-only   only the parallel run (\"single\" is then left out of the output)\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--dir") {
      o.dir = value();
    } else if (a == "--files") {
      o.files = std::atol(value().c_str());
    } else if (a == "--procs") {
      o.procs = std::atoi(value().c_str());
    } else if (a == "--time-limit") {
      o.time_limit = std::atof(value().c_str());
    } else if (a == "--drop-caches") {
      o.drop_caches = true;
    } else if (a == "--parallel-only") {
      o.parallel_only = true;
    } else {
      usage();
    }
  }
  if (o.dir.empty() || o.files < 1 || o.procs < 1 || o.time_limit <= 0) usage();
  return o;
}

// Writes back dirty data first, so dropping is complete (drop_caches only drops clean pages).
void drop_caches() {
  ::sync();
  int fd = ::open("/proc/sys/vm/drop_caches", O_WRONLY);
  if (fd < 0) die_errno("--drop-caches: cannot open /proc/sys/vm/drop_caches (run as root or leave the flag out)");
  if (::write(fd, "3\n", 2) != 2) die_errno("--drop-caches: writing /proc/sys/vm/drop_caches");
  ::close(fd);
}

void make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) die_errno("mkdir " + path);
}

// One worker's share: `count` entries in directory `dir`. Returns how many it
// finished before the deadline (create/mkdir), or processes exactly `count`
// entries made earlier (stat/unlink/rmdir: those must all be undone).
long run_phase(Phase phase, const std::string& dir, long count, Clock::time_point deadline) {
  std::string path;
  path.reserve(dir.size() + 32);
  struct stat st;
  for (long i = 0; i < count; ++i) {
    // Creating phases give up at the deadline; the phases after them work on what exists,
    // so every run cleans up after itself.
    if ((phase == kCreate || phase == kMkdir) && (i & 63) == 0 && Clock::now() > deadline) return i;
    path.assign(dir);
    path += (phase >= kMkdir) ? "/d" : "/f";
    path += std::to_string(i);
    switch (phase) {
      case kCreate: {
        int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd < 0) die_errno("create " + path);
        if (::close(fd) != 0) die_errno("close " + path);
        break;
      }
      case kStat:
        if (::stat(path.c_str(), &st) != 0) die_errno("stat " + path);
        if (!S_ISREG(st.st_mode) || st.st_size != 0) die("stat " + path + ": not an empty regular file");
        break;
      case kUnlink:
        if (::unlink(path.c_str()) != 0) die_errno("unlink " + path);
        break;
      case kMkdir:
        if (::mkdir(path.c_str(), 0755) != 0) die_errno("mkdir " + path);
        break;
      case kRmdir:
        if (::rmdir(path.c_str()) != 0) die_errno("rmdir " + path);
        break;
      default:
        break;
    }
  }
  return count;
}

void write_all(int fd, const void* data, size_t n) {
  if (::write(fd, data, n) != static_cast<ssize_t>(n)) die_errno("pipe write");
}

void read_all(int fd, void* data, size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) die(r == 0 ? "a worker process ended early (see its error above)" : std::string("pipe read: ") + std::strerror(errno));
    p += r;
    n -= static_cast<size_t>(r);
  }
}

struct RunResult {
  double rate[kPhases] = {};
  long done[kPhases] = {};
};

// Runs the five phases with `procs` workers (procs == 1: in this process, in `root`
// itself; otherwise forked children in root/p<k>). Timing is done here, from the
// moment the phase is started until the last worker reports.
RunResult run(const Options& o, const std::string& root, int procs) {
  make_dir(root);
  long share = o.files / procs;
  if (share < 1) share = 1;
  RunResult result;

  struct Worker {
    pid_t pid;
    int go;    // parent -> child: the phase number
    int done;  // child -> parent: entries done
  };
  std::vector<Worker> workers;
  std::vector<std::string> dirs;
  for (int p = 0; p < procs; ++p) dirs.push_back(procs == 1 ? root : root + "/p" + std::to_string(p));
  for (auto& d : dirs) make_dir(d);

  if (procs > 1) {
    for (int p = 0; p < procs; ++p) {
      int go[2], done[2];
      if (::pipe(go) != 0 || ::pipe(done) != 0) die_errno("pipe");
      pid_t pid = ::fork();
      if (pid < 0) die_errno("fork");
      if (pid == 0) {
        // Earlier workers' pipe ends must not stay open here, or they never see their end.
        for (auto& w : workers) {
          ::close(w.go);
          ::close(w.done);
        }
        ::close(go[1]);
        ::close(done[0]);
        long have[kPhases] = {};
        for (;;) {
          int phase;
          double limit;
          ssize_t r = ::read(go[0], &phase, sizeof phase);
          if (r == 0) std::_Exit(0);
          if (r != sizeof phase) die_errno("worker pipe read");
          read_all(go[0], &limit, sizeof limit);
          auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
          long count = share;
          if (phase == kStat || phase == kUnlink) count = have[kCreate];
          if (phase == kRmdir) count = have[kMkdir];
          long n = run_phase(static_cast<Phase>(phase), dirs[p], count, deadline);
          have[phase] = n;
          write_all(done[1], &n, sizeof n);
        }
      }
      ::close(go[0]);
      ::close(done[1]);
      workers.push_back({pid, go[1], done[0]});
    }
  }

  long have[kPhases] = {};
  for (int phase = 0; phase < kPhases; ++phase) {
    if (phase == kStat && o.drop_caches) drop_caches();
    auto start = Clock::now();
    long total = 0;
    if (procs == 1) {
      long count = share;
      if (phase == kStat || phase == kUnlink) count = have[kCreate];
      if (phase == kRmdir) count = have[kMkdir];
      total = run_phase(static_cast<Phase>(phase), dirs[0], count, start + std::chrono::duration_cast<Clock::duration>(
                                                                               std::chrono::duration<double>(o.time_limit)));
      have[phase] = total;
    } else {
      for (auto& w : workers) {
        write_all(w.go, &phase, sizeof phase);
        write_all(w.go, &o.time_limit, sizeof o.time_limit);
      }
      for (auto& w : workers) {
        long n;
        read_all(w.done, &n, sizeof n);
        total += n;
      }
    }
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    result.done[phase] = total;
    result.rate[phase] = secs > 0 ? total / secs : 0;
  }

  for (auto& w : workers) ::close(w.go);  // end of input: the workers exit
  for (auto& w : workers) {
    int status = 0;
    if (::waitpid(w.pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("a worker process failed");
    ::close(w.done);
  }
  if (procs > 1)
    for (auto& d : dirs)
      if (::rmdir(d.c_str()) != 0) die_errno("rmdir " + d);
  if (::rmdir(root.c_str()) != 0) die_errno("rmdir " + root);
  return result;
}

void print_run(const char* name, const RunResult& r, int procs, bool last) {
  std::printf("  \"%s\": {\"procs\": %d", name, procs);
  for (int p = 0; p < kPhases; ++p) std::printf(", \"%s\": %.1f", kPhaseNames[p], r.rate[p]);
  std::printf(", \"entries\": {");
  for (int p = 0; p < kPhases; ++p) std::printf("%s\"%s\": %ld", p ? ", " : "", kPhaseNames[p], r.done[p]);
  std::printf("}}%s\n", last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  make_dir(o.dir);
  std::printf("{\n  \"files\": %ld,\n", o.files);
  if (!o.parallel_only) print_run("single", run(o, o.dir + "/single", 1), 1, false);
  RunResult parallel = run(o, o.dir + "/parallel", o.procs);
  print_run("parallel", parallel, o.procs, true);
  std::printf("}\n");
  return 0;
}
