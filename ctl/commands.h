// The fsctl subcommands, one file each. add_<name> registers the subcommand
// with its options on `app`; main runs the one the user chose.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "ctl/context.h"

namespace combfs::ctl {

struct Command {
  CLI::App* app = nullptr;
  std::function<Result<void>()> run;
};

Command add_setpattern(CLI::App& app, const GlobalOptions& g);
Command add_getentryinfo(CLI::App& app, const GlobalOptions& g);
Command add_listnodes(CLI::App& app, const GlobalOptions& g);
Command add_listtargets(CLI::App& app, const GlobalOptions& g);
Command add_fsck(CLI::App& app, const GlobalOptions& g);
Command add_migrate(CLI::App& app, const GlobalOptions& g);
Command add_listmigrations(CLI::App& app, const GlobalOptions& g);
Command add_mkdir(CLI::App& app, const GlobalOptions& g);
Command add_sethash(CLI::App& app, const GlobalOptions& g);
Command add_addmirrorgroup(CLI::App& app, const GlobalOptions& g);
Command add_listmirrorgroups(CLI::App& app, const GlobalOptions& g);

}  // namespace combfs::ctl
