// A daemon's command line and config file (CLI11; docs/running.md "Config
// files"): options on the command line win over the --config file, and a
// mistake in the file is reported on one line naming the file, the key and
// what is allowed, instead of CLI11's "INI was not able to parse ..." or a
// silently ignored key.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>

namespace combfs {

// Parses argv (and the --config file set up with app.set_config) into `app`.
// Returns nullopt to go on, or the exit code main should return with (after
// --help, or an error already printed to stderr).
std::optional<int> parse_daemon_args(CLI::App& app, int argc, char** argv);

}  // namespace combfs
