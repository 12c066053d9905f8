#include "common/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace combfs {

void init_logging(const std::string& service, const std::string& level, const std::string& file) {
  std::shared_ptr<spdlog::logger> logger;
  if (file.empty())
    logger = spdlog::stderr_color_mt(service);
  else
    logger = spdlog::basic_logger_mt(service, file);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n[%t] %^%l%$: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace combfs
