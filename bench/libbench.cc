// combfs-libbench: the libcombfs C API's data path without FUSE, for the rows
// "libcombfs: ..." of bench/run.sh's table (see bench/README.md).
//
//   combfs-libbench --mgmtd HOST:PORT --secret FILE --dir /PATH [--mib N] [--seconds S]
//
// In DIR (a path inside combfs, created): a sequential write of N MiB in 1 MiB
// pwrites + fsync; a sequential read of it in 1 MiB preads; the same read as
// batches of 8 x 1 MiB (combfs_submit); S seconds of 4 KiB random reads in
// batches of 64; an N-1 write (4 threads, each its quarter of one file, 1 MiB
// pwrites + fsync). Prints one JSON object with the figures.
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "combfs/combfs.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMiB = 1 << 20;

[[noreturn]] void die(const std::string& what, long rc) {
  std::fprintf(stderr, "combfs-libbench: %s failed (%ld): %s\n", what.c_str(), rc, combfs_last_error());
  std::exit(1);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

combfs_file_t* open_or_die(combfs_client_t* c, const std::string& path, int flags) {
  combfs_file_t* f = nullptr;
  if (long rc = combfs_open(c, path.c_str(), flags, 0644, &f); rc < 0) die("open " + path, rc);
  return f;
}

// Writes [first, first + mib) MiB of `path` through its own handle, then fsyncs.
void write_range(combfs_client_t* c, const std::string& path, size_t first, size_t mib) {
  std::vector<char> buf(kMiB, 'w');
  combfs_file_t* f = open_or_die(c, path, O_WRONLY | O_CREAT);
  for (size_t i = first; i < first + mib; ++i)
    if (long rc = combfs_pwrite(f, buf.data(), kMiB, i * kMiB); rc != static_cast<long>(kMiB)) die("pwrite", rc);
  if (long rc = combfs_fsync(f); rc < 0) die("fsync", rc);
  if (long rc = combfs_close(f); rc < 0) die("close", rc);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mgmtd, secret, dir;
  size_t mib = 256;
  double rand_seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--mgmtd") mgmtd = v;
    else if (k == "--secret") secret = v;
    else if (k == "--dir") dir = v;
    else if (k == "--mib") mib = std::strtoul(v.c_str(), nullptr, 10) / 4 * 4;
    else if (k == "--seconds") rand_seconds = std::strtod(v.c_str(), nullptr);
    else {
      std::fprintf(stderr, "combfs-libbench: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (mgmtd.empty() || secret.empty() || dir.empty() || mib < 8) {
    std::fprintf(stderr, "usage: combfs-libbench --mgmtd HOST:PORT --secret FILE --dir /PATH [--mib N>=8] [--seconds S]\n");
    return 2;
  }
  combfs_client_t* c = nullptr;
  if (long rc = combfs_connect(mgmtd.c_str(), secret.c_str(), &c); rc < 0) die("connect", rc);
  if (long rc = combfs_mkdir(c, dir.c_str(), 0755); rc < 0) die("mkdir " + dir, rc);
  const std::string seq = dir + "/seq.dat", shared = dir + "/shared.dat";

  auto t = Clock::now();
  write_range(c, seq, 0, mib);
  double seq_write = mib / seconds_since(t);

  std::vector<char> buf(8 * kMiB);
  combfs_file_t* f = open_or_die(c, seq, O_RDONLY);
  t = Clock::now();
  for (size_t i = 0; i < mib; ++i)
    if (long rc = combfs_pread(f, buf.data(), kMiB, i * kMiB); rc != static_cast<long>(kMiB)) die("pread", rc);
  double seq_read = mib / seconds_since(t);

  t = Clock::now();
  for (size_t i = 0; i < mib; i += 8) {
    combfs_io ios[8];
    size_t n = std::min<size_t>(8, mib - i);
    for (size_t j = 0; j < n; ++j) ios[j] = combfs_io{f, COMBFS_IO_READ, (i + j) * kMiB, kMiB, buf.data() + j * kMiB, 0};
    if (long rc = combfs_submit(c, ios, n); rc != 0) die("submit (sequential batch)", rc);
  }
  double seq_read_batch = mib / seconds_since(t);

  constexpr size_t kBatch = 64, kSmall = 4096;
  std::vector<char> small(kBatch * kSmall);
  std::mt19937_64 rng(42);
  uint64_t blocks = mib * kMiB / kSmall, done = 0;
  t = Clock::now();
  while (seconds_since(t) < rand_seconds) {
    combfs_io ios[kBatch];
    for (size_t j = 0; j < kBatch; ++j)
      ios[j] = combfs_io{f, COMBFS_IO_READ, (rng() % blocks) * kSmall, kSmall, small.data() + j * kSmall, 0};
    if (long rc = combfs_submit(c, ios, kBatch); rc != 0) die("submit (random 4 KiB batch)", rc);
    done += kBatch;
  }
  double rand_iops = done / seconds_since(t);
  if (long rc = combfs_close(f); rc < 0) die("close", rc);
  if (long rc = combfs_unlink(c, seq.c_str()); rc < 0) die("unlink", rc);

  t = Clock::now();
  std::vector<std::thread> writers;
  for (size_t w = 0; w < 4; ++w) writers.emplace_back(write_range, c, shared, w * mib / 4, mib / 4);
  for (auto& w : writers) w.join();
  double n1_write = mib / seconds_since(t);
  if (long rc = combfs_unlink(c, shared.c_str()); rc < 0) die("unlink", rc);
  if (long rc = combfs_rmdir(c, dir.c_str()); rc < 0) die("rmdir", rc);
  combfs_disconnect(c);

  std::printf(
      "{\"seq_write_mibps\": %.1f, \"seq_read_mibps\": %.1f, \"seq_read_batch_mibps\": %.1f, "
      "\"randread_4k_batch_iops\": %.0f, \"n1_write_mibps\": %.1f}\n",
      seq_write, seq_read, seq_read_batch, rand_iops, n1_write);
  return 0;
}
