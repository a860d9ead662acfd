// daemonlet: the per-node DaemonSet agent. main() holds the one catch-all
// (STYLE.md §3); every subcommand lives in agent/cli/.
#include <exception>
#include <iostream>

#include "agent/cli/cli.h"

int main(int argc, char** argv) {
  try {
    return daemonlet::cli::runCommandLine(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "daemonlet: internal error: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
}
