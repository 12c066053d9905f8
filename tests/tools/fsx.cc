// combfs-fsx: a file system exerciser in the spirit of fsx (Apple/BSD,
// xfstests): random writes, reads, truncates, mmap reads and writes,
// fallocate, fsync and close/reopen on one file, checked against an
// in-memory model of what the file must contain. Every read compares the
// bytes; every operation is logged, and on the first mismatch the tool
// prints the seed, the operations leading to it and where the data differs,
// then exits 1. The same seed always replays the same operations.
//
//   combfs-fsx [-N ops] [-S seed] [-l max_len] [-o max_op] [-M] [-F] [-q] FILE
//
// Exit status: 0 clean, 1 data or size mismatch / unexpected error, 2 usage.
#include <fcntl.h>
#include <getopt.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  uint64_t ops = 10000;
  uint64_t seed = 1;
  uint64_t max_len = 1 << 20;   // the file never grows beyond this
  uint64_t max_op = 64 << 10;   // bytes per read/write/mmap operation
  bool mmap = true;
  bool fallocate = true;
  bool quiet = false;
  std::string path;
};

enum class Kind { write, read, truncate, mapread, mapwrite, fallocate, fsync, reopen };

const char* name_of(Kind k) {
  switch (k) {
    case Kind::write: return "write";
    case Kind::read: return "read";
    case Kind::truncate: return "truncate";
    case Kind::mapread: return "mapread";
    case Kind::mapwrite: return "mapwrite";
    case Kind::fallocate: return "fallocate";
    case Kind::fsync: return "fsync";
    case Kind::reopen: return "reopen";
  }
  return "?";
}

struct LoggedOp {
  uint64_t n;
  Kind kind;
  uint64_t offset;
  uint64_t length;
  uint64_t size_before;
  uint64_t size_after;
};

class Fsx {
 public:
  explicit Fsx(Options o) : o_(std::move(o)), rng_(o_.seed) {}

  int run() {
    fd_ = open(o_.path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd_ < 0) return fail_errno("open " + o_.path);
    page_ = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    for (n_ = 1; n_ <= o_.ops; ++n_) {
      if (!step()) return 1;
      if (!o_.quiet && n_ % 10000 == 0) std::printf("%" PRIu64 " operations, file size %zu\n", n_, model_.size());
    }
    if (!check_all("final check")) return 1;
    close(fd_);
    std::printf("fsx: %" PRIu64 " operations on %s clean (seed %" PRIu64 ")\n", o_.ops, o_.path.c_str(), o_.seed);
    return 0;
  }

 private:
  uint64_t rand(uint64_t below) { return below ? rng_() % below : 0; }

  bool step() {
    // Weights roughly like classic fsx: mostly data operations.
    uint64_t r = rand(100);
    Kind k = r < 30 ? Kind::write : r < 55 ? Kind::read : r < 63 ? Kind::truncate : r < 73 ? Kind::mapread
             : r < 83 ? Kind::mapwrite : r < 90 ? Kind::fallocate : r < 95 ? Kind::fsync : Kind::reopen;
    if (!o_.mmap && (k == Kind::mapread || k == Kind::mapwrite)) k = Kind::read;
    if (!o_.fallocate && k == Kind::fallocate) k = Kind::write;
    uint64_t off = rand(o_.max_len);
    uint64_t len = 1 + rand(o_.max_op);
    if (off + len > o_.max_len) len = o_.max_len - off;
    if (len == 0) len = 1, off = o_.max_len - 1;
    const uint64_t before = model_.size();
    bool ok = true;
    switch (k) {
      case Kind::write: ok = do_write(off, len); break;
      case Kind::read: ok = do_read(off, len); break;
      case Kind::truncate: off = rand(o_.max_len + 1), len = 0, ok = do_truncate(off); break;
      case Kind::mapread: ok = do_mapread(off, len); break;
      case Kind::mapwrite: ok = do_mapwrite(off, len); break;
      case Kind::fallocate: ok = do_fallocate(off, len); break;
      case Kind::fsync: off = len = 0, ok = fsync(fd_) == 0 || fail_errno("fsync"); break;
      case Kind::reopen: off = len = 0, ok = do_reopen(); break;
    }
    log_.push_back({n_, k, off, len, before, model_.size()});
    if (log_.size() > kLogKept) log_.pop_front();
    if (ok && k != Kind::read && k != Kind::mapread) ok = check_size(name_of(k));
    if (!ok) dump_log();
    return ok;
  }

  void fill(std::vector<char>& buf) {
    // Bytes that tell operations apart: the low byte of the op number mixed
    // with the position, never a long run of zeros.
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<char>(((n_ * 131) + i * 7) % 251 + 1);
  }

  bool do_write(uint64_t off, uint64_t len) {
    std::vector<char> buf(len);
    fill(buf);
    if (!pwrite_all(buf.data(), len, off)) return false;
    if (model_.size() < off + len) model_.resize(off + len, 0);
    std::memcpy(model_.data() + off, buf.data(), len);
    return true;
  }

  bool do_read(uint64_t off, uint64_t len) {
    if (model_.empty()) return true;
    off %= model_.size();
    len = std::min<uint64_t>(len, model_.size() - off);
    std::vector<char> buf(len);
    uint64_t got = 0;
    while (got < len) {
      ssize_t n = pread(fd_, buf.data() + got, len - got, static_cast<off_t>(off + got));
      if (n < 0) return fail_errno("read");
      if (n == 0) return fail_msg("read: unexpected end of file at " + std::to_string(off + got) + ", model size " +
                                  std::to_string(model_.size()));
      got += static_cast<uint64_t>(n);
    }
    return compare("read", buf.data(), off, len);
  }

  bool do_truncate(uint64_t size) {
    if (ftruncate(fd_, static_cast<off_t>(size)) != 0) return fail_errno("ftruncate");
    model_.resize(size, 0);
    return true;
  }

  bool do_mapread(uint64_t off, uint64_t len) {
    if (model_.empty()) return true;
    off %= model_.size();
    len = std::min<uint64_t>(len, model_.size() - off);
    uint64_t pg = off - off % page_;
    uint64_t span = off - pg + len;
    void* m = mmap(nullptr, span, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(pg));
    if (m == MAP_FAILED) return fail_errno("mmap for read");
    bool ok = compare("mapread", static_cast<char*>(m) + (off - pg), off, len);
    munmap(m, span);
    return ok;
  }

  bool do_mapwrite(uint64_t off, uint64_t len) {
    // A mapping cannot extend a file: grow it first, like classic fsx.
    if (off + len > model_.size()) {
      if (ftruncate(fd_, static_cast<off_t>(off + len)) != 0) return fail_errno("ftruncate before mapwrite");
      model_.resize(off + len, 0);
    }
    uint64_t pg = off - off % page_;
    uint64_t span = off - pg + len;
    void* m = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, static_cast<off_t>(pg));
    if (m == MAP_FAILED) return fail_errno("mmap for write");
    std::vector<char> buf(len);
    fill(buf);
    std::memcpy(static_cast<char*>(m) + (off - pg), buf.data(), len);
    bool ok = msync(m, span, MS_SYNC) == 0 || fail_errno("msync");
    munmap(m, span);
    std::memcpy(model_.data() + off, buf.data(), len);
    return ok;
  }

  bool do_fallocate(uint64_t off, uint64_t len) {
    if (::fallocate(fd_, 0, static_cast<off_t>(off), static_cast<off_t>(len)) != 0) {
      if (errno == EOPNOTSUPP) {
        o_.fallocate = false;  // not supported here: say so once, go on without
        std::printf("fsx: fallocate not supported on %s; continuing without it\n", o_.path.c_str());
        return true;
      }
      return fail_errno("fallocate");
    }
    if (model_.size() < off + len) model_.resize(off + len, 0);
    return true;
  }

  bool do_reopen() {
    // close-to-open: nothing of the old open (page cache) may hide the data.
    if (close(fd_) != 0) return fail_errno("close");
    fd_ = open(o_.path.c_str(), O_RDWR);
    if (fd_ < 0) return fail_errno("reopen");
    return check_all("after reopen");
  }

  bool pwrite_all(const char* buf, uint64_t len, uint64_t off) {
    uint64_t done = 0;
    while (done < len) {
      ssize_t n = pwrite(fd_, buf + done, len - done, static_cast<off_t>(off + done));
      if (n <= 0) return fail_errno("write");
      done += static_cast<uint64_t>(n);
    }
    return true;
  }

  bool check_size(const char* what) {
    struct stat st;
    if (fstat(fd_, &st) != 0) return fail_errno("fstat");
    if (static_cast<uint64_t>(st.st_size) == model_.size()) return true;
    return fail_msg(std::string("size after ") + what + ": file has " + std::to_string(st.st_size) +
                    " bytes, model " + std::to_string(model_.size()));
  }

  bool check_all(const char* what) {
    if (!check_size(what)) return false;
    std::vector<char> buf(model_.size());
    uint64_t got = 0;
    while (got < buf.size()) {
      ssize_t n = pread(fd_, buf.data() + got, buf.size() - got, static_cast<off_t>(got));
      if (n < 0) return fail_errno(what);
      if (n == 0) return fail_msg(std::string(what) + ": unexpected end of file at " + std::to_string(got));
      got += static_cast<uint64_t>(n);
    }
    return compare(what, buf.data(), 0, buf.size());
  }

  bool compare(const char* what, const char* got, uint64_t off, uint64_t len) {
    const char* want = model_.data() + off;
    if (std::memcmp(got, want, len) == 0) return true;
    uint64_t i = 0;
    while (got[i] == want[i]) ++i;
    uint64_t j = len;
    while (got[j - 1] == want[j - 1]) --j;
    std::fprintf(stderr, "fsx: %s: data differs at file offset %" PRIu64 " (op %" PRIu64 "), %" PRIu64
                         " bytes up to offset %" PRIu64 "\n",
                 what, off + i, n_, j - i, off + j - 1);
    std::fprintf(stderr, "  offset        good  bad\n");
    for (uint64_t k = i; k < std::min(j, i + 16); ++k)
      std::fprintf(stderr, "  %-12" PRIu64 "  %02x    %02x\n", off + k, (unsigned char)want[k], (unsigned char)got[k]);
    return false;
  }

  bool fail_errno(const std::string& what) {
    std::fprintf(stderr, "fsx: op %" PRIu64 ": %s failed: %s\n", n_, what.c_str(), std::strerror(errno));
    return false;
  }
  bool fail_msg(const std::string& what) {
    std::fprintf(stderr, "fsx: op %" PRIu64 ": %s\n", n_, what.c_str());
    return false;
  }

  void dump_log() {
    std::fprintf(stderr, "fsx: FAILED on %s with seed %" PRIu64 " (replay: -S %" PRIu64 " -N %" PRIu64
                         " -l %" PRIu64 " -o %" PRIu64 "%s%s); last %zu operations:\n",
                 o_.path.c_str(), o_.seed, o_.seed, n_, o_.max_len, o_.max_op, o_.mmap ? "" : " -M",
                 o_.fallocate ? "" : " -F", log_.size());
    for (const auto& op : log_)
      std::fprintf(stderr, "  %8" PRIu64 " %-9s offset %-9" PRIu64 " length %-7" PRIu64 " size %" PRIu64
                           " -> %" PRIu64 "\n",
                   op.n, name_of(op.kind), op.offset, op.length, op.size_before, op.size_after);
  }

  static constexpr size_t kLogKept = 200;

  Options o_;
  std::mt19937_64 rng_;
  int fd_ = -1;
  uint64_t n_ = 0;
  uint64_t page_ = 4096;
  std::vector<char> model_;
  std::deque<LoggedOp> log_;
};

void usage() {
  std::fprintf(stderr,
               "usage: combfs-fsx [-N ops] [-S seed] [-l max_file_len] [-o max_op_len] [-M] [-F] [-q] FILE\n"
               "  -M  no mmap operations   -F  no fallocate   -q  no progress lines\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  int c;
  while ((c = getopt(argc, argv, "N:S:l:o:MFqh")) != -1) {
    switch (c) {
      case 'N': o.ops = std::strtoull(optarg, nullptr, 0); break;
      case 'S': o.seed = std::strtoull(optarg, nullptr, 0); break;
      case 'l': o.max_len = std::strtoull(optarg, nullptr, 0); break;
      case 'o': o.max_op = std::strtoull(optarg, nullptr, 0); break;
      case 'M': o.mmap = false; break;
      case 'F': o.fallocate = false; break;
      case 'q': o.quiet = true; break;
      default: usage(); return 2;
    }
  }
  if (optind + 1 != argc || o.max_len == 0 || o.max_op == 0) {
    usage();
    return 2;
  }
  o.path = argv[optind];
  return Fsx(o).run();
}
