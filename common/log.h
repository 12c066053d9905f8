// Logging: spdlog with the service name in every line. Daemons call init_logging
// once in main; libraries just use spdlog's free functions.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace combfs {

// level: trace, debug, info, warn, error. file: empty for stderr.
void init_logging(const std::string& service, const std::string& level, const std::string& file = "");

// Opens the log file again by its name (after logrotate moved it away): lines
// logged after this go to a new file of that name. Does nothing when logging
// to stderr. Thread-safe; daemons call it on SIGHUP (IoPool).
void reopen_log_file();

}  // namespace combfs
