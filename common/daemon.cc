#include "common/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/env/env.h"
#include "common/log.h"

namespace combfs {

IoPool::IoPool(int threads) : threads_(std::max(1, threads)), signals_(io_, SIGINT, SIGTERM), hangups_(io_, SIGHUP) {}

IoPool::~IoPool() {
  stop();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void IoPool::await_hangup() {
  hangups_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    reopen_log_file();
    await_hangup();
  });
}

void IoPool::run_until_signal() {
  await_hangup();
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received, shutting down", sig);
    io_.stop();
  });
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

void IoPool::stop() { io_.stop(); }

Result<void> make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return error(proto::IO_ERROR, fmt::format("cannot create directory '{}': {}", path, ec.message()));
  return {};
}

Result<void> write_file_atomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    if (!out) return error(proto::IO_ERROR, fmt::format("cannot write '{}'", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return error(proto::IO_ERROR, fmt::format("cannot rename '{}' to '{}': {}", tmp, path, ec.message()));
  return {};
}

Result<std::string> load_or_create_uuid(const std::string& dir, const std::string& name) {
  COMBFS_CHECK(make_dirs(dir));
  std::string path = dir + "/" + name;
  std::ifstream in(path);
  std::string uuid;
  if (in && std::getline(in, uuid) && !uuid.empty()) return uuid;
  std::random_device rd;
  std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd() ^ uint64_t(now_ns()));
  uuid = fmt::format("{:016x}{:016x}", gen(), gen());
  // Durably: a node or target that came back after a power loss under a
  // new uuid would register as a stranger beside its old self.
  COMBFS_CHECK(env::Env::get().write_file_durably(path, uuid + "\n"));
  return uuid;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
int64_t now_ms() { return now_ns() / 1000000; }

}  // namespace combfs
