#include "common/log.h"

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace combfs {
namespace {

// spdlog's basic_file_sink keeps its file open for good; logrotate moves the
// file away and the daemon must start a new one, so this sink can reopen.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(const std::string& path) { file_.open(path, false); }
  void reopen() {
    std::lock_guard lock(mutex_);
    file_.reopen(false);  // append: a file that was not moved keeps its lines
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_.write(formatted);
  }
  void flush_() override { file_.flush(); }

 private:
  spdlog::details::file_helper file_;
};

std::shared_ptr<ReopenableFileSink> file_sink;  // set once by init_logging

}  // namespace

void init_logging(const std::string& service, const std::string& level, const std::string& file) {
  std::shared_ptr<spdlog::logger> logger;
  if (file.empty()) {
    logger = spdlog::stderr_color_mt(service);
  } else {
    file_sink = std::make_shared<ReopenableFileSink>(file);
    logger = std::make_shared<spdlog::logger>(service, file_sink);
    spdlog::register_logger(logger);
  }
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n[%t] %^%l%$: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void reopen_log_file() {
  if (!file_sink) return;
  file_sink->reopen();
  spdlog::info("log file reopened (SIGHUP)");
}

}  // namespace combfs
