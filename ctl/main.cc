// fsctl: administration and user commands for combfs.
#include <fmt/format.h>

#include <vector>

#include "ctl/commands.h"

int main(int argc, char** argv) {
  using namespace combfs::ctl;
  CLI::App app{"fsctl: inspect and configure a combfs cluster"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  GlobalOptions g;
  app.add_option("--mgmtd", g.mgmtd,
                 "mgmtd HOST[:PORT] (default: from the path's mount, else 127.0.0.1:8008)");
  app.add_option("--secret-file", g.secret_file,
                 "the cluster's shared secret file (default: the mount's, else /etc/combfs/secret)");
  std::vector<Command> commands{add_setpattern(app, g), add_getentryinfo(app, g), add_listnodes(app, g),
                                add_listtargets(app, g), add_fsck(app, g),
                                add_migrate(app, g), add_listmigrations(app, g), add_mkdir(app, g), add_sethash(app, g),
                                add_addmirrorgroup(app, g), add_listmirrorgroups(app, g)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and succeeds; every usage error exits 1 like other errors.
    return app.exit(e) == 0 ? 0 : 1;
  }
  for (auto& c : commands) {
    if (!c.app->parsed()) continue;
    auto done = c.run();
    if (!done) {
      fmt::print(stderr, "fsctl {}: {}\n", c.app->get_name(), done.error().message());
      return 1;
    }
  }
  return 0;
}
