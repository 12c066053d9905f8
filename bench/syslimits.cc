// combfs-syslimits: the machine's ceilings that a file system on it cannot beat.
//
//   combfs-syslimits memcpy [--mib N] [--seconds S]
//   combfs-syslimits tcp    [--seconds S] [--streams K]
//
// memcpy: copies an N MiB buffer (default 256, larger than the caches) into
//   another for S seconds (default 3), one thread; prints GiB/s copied.
// tcp:    K sender/receiver pairs (default 1) over 127.0.0.1 with 1 MiB
//   writes for S seconds; prints GiB/s received in total.
// Output: one JSON object on stdout. Errors: stderr, exit 1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kGiB = 1024.0 * 1024 * 1024;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "combfs-syslimits: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: combfs-syslimits memcpy [--mib N] [--seconds S]\n"
               "       combfs-syslimits tcp [--seconds S] [--streams K]\n");
  std::exit(2);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int memcpy_bench(size_t mib, double seconds) {
  size_t n = mib << 20;
  std::vector<char> src(n), dst(n);
  // Touch both buffers first so page faults are not measured.
  std::memset(src.data(), 1, n);
  std::memset(dst.data(), 2, n);
  size_t copied = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    std::memcpy(dst.data(), src.data(), n);
    // Keeps the compiler from dropping the copy as dead.
    asm volatile("" : : "r"(dst.data()) : "memory");
    copied += n;
    elapsed = seconds_since(start);
  } while (elapsed < seconds);
  std::printf("{\"memcpy_gibps\": %.3f, \"buffer_mib\": %zu, \"seconds\": %.2f}\n", copied / kGiB / elapsed, mib, elapsed);
  return 0;
}

int tcp_bench(double seconds, int streams) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) die("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind 127.0.0.1");
  if (::listen(listener, streams) != 0) die("listen");
  socklen_t len = sizeof addr;
  if (::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) die("getsockname");

  constexpr size_t kBuf = 1 << 20;
  std::atomic<bool> stop{false};
  std::atomic<unsigned long long> received{0};
  std::vector<std::thread> threads;
  std::vector<int> fds;
  for (int s = 0; s < streams; ++s) {
    int c = ::socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0) die("socket");
    if (::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect 127.0.0.1");
    int a = ::accept(listener, nullptr, nullptr);
    if (a < 0) die("accept");
    fds.push_back(c);
    fds.push_back(a);
    threads.emplace_back([c, &stop] {
      std::vector<char> buf(kBuf, 'x');
      while (!stop.load(std::memory_order_relaxed)) {
        ssize_t w = ::send(c, buf.data(), buf.size(), MSG_NOSIGNAL);
        if (w < 0) break;  // the receiver closed at the end
      }
      ::shutdown(c, SHUT_WR);
    });
    threads.emplace_back([a, &received] {
      std::vector<char> buf(kBuf);
      for (;;) {
        ssize_t r = ::recv(a, buf.data(), buf.size(), 0);
        if (r <= 0) break;
        received.fetch_add(static_cast<unsigned long long>(r), std::memory_order_relaxed);
      }
    });
  }
  // Warm-up second, then measure the bytes received within the window only.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  unsigned long long before = received.load();
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  unsigned long long bytes = received.load() - before;
  double elapsed = seconds_since(start);
  stop = true;
  for (auto& t : threads) t.join();
  for (int fd : fds) ::close(fd);
  ::close(listener);
  std::printf("{\"tcp_gibps\": %.3f, \"streams\": %d, \"seconds\": %.2f}\n", bytes / kGiB / elapsed, streams, elapsed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  std::string mode = argv[1];
  size_t mib = 256;
  double seconds = 3;
  int streams = 1;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage();
    if (a == "--mib") {
      mib = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--seconds") {
      seconds = std::atof(argv[++i]);
    } else if (a == "--streams") {
      streams = std::atoi(argv[++i]);
    } else {
      usage();
    }
  }
  if (mib < 1 || seconds <= 0 || streams < 1) usage();
  if (mode == "memcpy") return memcpy_bench(mib, seconds);
  if (mode == "tcp") return tcp_bench(seconds, streams);
  usage();
}
