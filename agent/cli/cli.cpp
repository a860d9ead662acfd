#include "agent/cli/cli.h"

#include <array>
#include <iostream>
#include <ostream>
#include <string>
#include <string_view>

#include "agent/cli/commands.h"

namespace daemonlet::cli {
namespace {

struct Subcommand {
  std::string_view name;
  std::string_view summary;
  int (*handler)(const Arguments&, CommandIo&);
};

// The dispatcher table. `run` (the agent), `status` and `get` (queries against a
// running agent's local API) join here as their implementations land.
constexpr std::array kSubcommands{
    Subcommand{"run", "run the agent: keep this node's daemons running", runRunCommand},
    Subcommand{"status", "show a running agent's node, DaemonSets and errors", runStatusCommand},
    Subcommand{"get", "list a running agent's pods or daemonsets", runGetCommand},
    Subcommand{"reload", "make a running agent read its configuration again; fails when refused",
               runReloadCommand},
    Subcommand{"fleet", "fleet-wide DaemonSet status from node reports (fleet status --reports DIR|URL)",
               runFleetCommand},
    Subcommand{"validate", "check DaemonSet manifests (JSON or YAML) as the API server would", runValidateCommand},
    Subcommand{"explain", "tell whether a DaemonSet runs on a given Node, and why", runExplainCommand},
    Subcommand{"version", "print the daemonlet version", runVersionCommand},
};

void printUsage(std::ostream& out) {
  out << "usage: daemonlet <command> [arguments]\n\ncommands:\n";
  for (const Subcommand& sub : kSubcommands) {
    out << "  " << sub.name << std::string(10 - sub.name.size(), ' ') << sub.summary << "\n";
  }
  out << "  help      print this help\n"
         "\nRun `daemonlet <command> --help` for a command's arguments.\n"
         "Exit codes: 0 success, 1 invalid input, 2 usage error or unreadable input.\n";
}

}  // namespace

bool isHelpFlag(const std::string& arg) { return arg == "-h" || arg == "--help"; }

int runCommandLine(int argc, char** argv) {
  CommandIo io{std::cin, std::cout, std::cerr};
  if (argc < 2) {
    printUsage(io.err);
    return kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "help" || isHelpFlag(name)) {
    printUsage(io.out);
    return kExitOk;
  }
  if (name == "--version") return runVersionCommand({}, io);
  // The host-process runtime starts the shim host that parents containers; not for people, so
  // not in the usage text.
  if (name == "shim") return runShimCommand(Arguments(argv + 2, argv + argc), io);
  const Arguments args(argv + 2, argv + argc);
  for (const Subcommand& sub : kSubcommands) {
    if (sub.name == name) return sub.handler(args, io);
  }
  io.err << "daemonlet: unknown command \"" << name << "\"\n\n";
  printUsage(io.err);
  return kExitUsage;
}

}  // namespace daemonlet::cli
