#include <ostream>

#include "agent/cli/cli.h"
#include "agent/cli/commands.h"

namespace daemonlet::cli {

int runVersionCommand(const Arguments& args, CommandIo& io) {
  if (!args.empty() && isHelpFlag(args.front())) {
    io.out << "usage: daemonlet version\n";
    return kExitOk;
  }
  if (!args.empty()) {
    io.err << "daemonlet version: takes no arguments\n";
    return kExitUsage;
  }
  io.out << "daemonlet " << DAEMONLET_VERSION << "\n";
  return kExitOk;
}

}  // namespace daemonlet::cli
