#pragma once
// The subcommands of `daemonlet`. Each takes the arguments after its own name and
// the streams to use (the real ones in main, string streams in tests), and returns
// the process exit code (kExitOk / kExitInvalid / kExitUsage from cli.h).
#include <iosfwd>
#include <string>
#include <vector>

namespace daemonlet::cli {

struct CommandIo {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

using Arguments = std::vector<std::string>;

int runVersionCommand(const Arguments& args, CommandIo& io);
int runValidateCommand(const Arguments& args, CommandIo& io);
int runExplainCommand(const Arguments& args, CommandIo& io);
int runRunCommand(const Arguments& args, CommandIo& io);
int runShimCommand(const Arguments& args, CommandIo& io);
int runStatusCommand(const Arguments& args, CommandIo& io);
int runGetCommand(const Arguments& args, CommandIo& io);
int runFleetCommand(const Arguments& args, CommandIo& io);
int runReloadCommand(const Arguments& args, CommandIo& io);

// True for "-h" and "--help": every subcommand answers them with its usage.
bool isHelpFlag(const std::string& arg);

}  // namespace daemonlet::cli
