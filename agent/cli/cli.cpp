#include "agent/cli/cli.h"

#include <iostream>
#include <string_view>

namespace daemonlet::cli {

int runCommandLine(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "version") {
    std::cout << "daemonlet " << DAEMONLET_VERSION << "\n";
    return kExitOk;
  }
  std::cerr << "usage: daemonlet version\n";
  return kExitUsage;
}

}  // namespace daemonlet::cli
