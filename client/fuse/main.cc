// combfs-client and mount.combfs: the FUSE client (same program, two names).
#include <fmt/format.h>

#include "client/fuse/mount.h"

int main(int argc, char** argv) {
  auto options = combfs::fuse::parse_mount_args(argc, argv);
  if (!options) {
    std::string program = argc > 0 ? argv[0] : "combfs-client";
    if (auto slash = program.rfind('/'); slash != std::string::npos) program = program.substr(slash + 1);
    fmt::print(stderr, "{}: {}\n\n{}", program, options.error().message(), combfs::fuse::mount_usage(program));
    return 1;
  }
  if (options->help) {
    fmt::print("{}", combfs::fuse::mount_usage(options->program));
    return 0;
  }
  return combfs::fuse::run_mount(*options);
}
