#include "common/daemon_args.h"

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <vector>

namespace combfs {
namespace {

std::string config_file(CLI::App& app) {
  const CLI::Option* config = app.get_config_ptr();
  if (config == nullptr || config->results().empty()) return "";
  return config->results().front();
}

// The keys a config file may hold: every long option but --help and --config.
std::vector<std::string> config_keys(CLI::App& app) {
  std::vector<std::string> keys;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt == app.get_config_ptr() || opt == app.get_help_ptr() || opt->get_group().empty()) continue;
    for (const auto& name : opt->get_lnames()) keys.push_back(name);
  }
  return keys;
}

bool on_command_line(const std::string& key, int argc, char** argv) {
  const std::string flag = "--" + key;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == flag || arg.starts_with(flag + "=")) return true;
  }
  return false;
}

// The config key a CLI11 error is about: "INI was not able to parse KEY" for
// an unknown key, else the first "--key" of a known option in the message.
struct Culprit {
  std::string key;
  bool unknown = false;
};
std::optional<Culprit> culprit(const std::string& message, const std::vector<std::string>& keys) {
  static const std::string kExtra = "INI was not able to parse ";
  if (message.starts_with(kExtra)) return Culprit{message.substr(kExtra.size()), true};
  size_t best = std::string::npos;
  std::string found;
  for (const auto& key : keys) {
    for (size_t at = message.find("--" + key); at != std::string::npos; at = message.find("--" + key, at + 1)) {
      const size_t end = at + 2 + key.size();
      const bool whole = end == message.size() || !(std::isalnum(static_cast<unsigned char>(message[end])) ||
                                                    message[end] == '-');
      if (whole && at < best) best = at, found = key;
    }
  }
  if (found.empty()) return std::nullopt;
  return Culprit{found, false};
}

std::string program(const CLI::App& app, int argc, char** argv) {
  if (!app.get_name().empty() || argc == 0) return app.get_name();
  std::string name = argv[0];
  return name.substr(name.rfind('/') + 1);
}

}  // namespace

std::optional<int> parse_daemon_args(CLI::App& app, int argc, char** argv) {
  // Unknown keys in the file are errors: a misspelt key must not be ignored.
  app.allow_config_extras(CLI::config_extras_mode::error);
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    const std::string file = config_file(app);
    const auto keys = config_keys(app);
    if (!file.empty() && e.get_exit_code() != 0) {
      if (auto bad = culprit(e.what(), keys); bad && !on_command_line(bad->key, argc, argv)) {
        if (bad->unknown) {
          fmt::print(stderr, "{}: {}: unknown key '{}'; the keys are: {}\n", program(app, argc, argv), file, bad->key,
                     fmt::join(keys, ", "));
        } else {
          fmt::print(stderr, "{}: {}: key '{}': {}\n", program(app, argc, argv), file, bad->key, e.what());
        }
        return e.get_exit_code();
      }
    }
    return app.exit(e);
  }
}

}  // namespace combfs
