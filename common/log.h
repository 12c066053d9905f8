// Logging: spdlog with the service name in every line. Daemons call init_logging
// once in main; libraries just use spdlog's free functions.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace combfs {

// level: trace, debug, info, warn, error. file: empty for stderr.
void init_logging(const std::string& service, const std::string& level, const std::string& file = "");

}  // namespace combfs
