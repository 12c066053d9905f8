// What every daemon's main needs: an io_context run by a thread pool until
// SIGINT/SIGTERM, and a stable identity kept in its data directory.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "common/rpc/asio.h"
#include "common/status.h"

namespace combfs {

class IoPool {
 public:
  explicit IoPool(int threads);
  ~IoPool();
  asio::io_context& io() { return io_; }
  // Runs the pool and blocks until SIGINT or SIGTERM (or stop()). SIGHUP
  // reopens the log file (logrotate) and goes on.
  void run_until_signal();
  void stop();

 private:
  int threads_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::signal_set hangups_;
  void await_hangup();
  std::vector<std::thread> workers_;
};

// Reads `dir/name` or creates it with a new random UUID. The data directory is
// created when missing. Errors say which path failed and why.
Result<std::string> load_or_create_uuid(const std::string& dir, const std::string& name);

// Creates a directory and its parents; error names the path.
Result<void> make_dirs(const std::string& path);

// Writes `content` to `path` atomically (tmp file + rename), for port files etc.
Result<void> write_file_atomic(const std::string& path, const std::string& content);

int64_t now_ns();
int64_t now_ms();

}  // namespace combfs
