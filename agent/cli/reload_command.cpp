// `daemonlet reload`: systemd's ExecReload. Signals the agent (SIGHUP) and waits
// for its verdict on the configuration it reads again, so `systemctl reload`
// fails, with the reason, when the new configuration is refused (the agent keeps
// running with the last good one).
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>
#include <thread>

#include "agent/cli/agent_location.h"
#include "agent/cli/cli.h"
#include "agent/cli/commands.h"
#include "agent/cli/reload_verdict.h"

namespace daemonlet::cli {
namespace {

// Within systemd's default TimeoutStartSec for ExecReload (90 s); a reload reads
// a few small files, so this only bounds a stuck agent.
constexpr std::chrono::seconds kDefaultWait{60};
constexpr std::chrono::milliseconds kPollInterval{20};

void printReloadUsage(std::ostream& out) {
  out << "usage: daemonlet reload [--run-dir DIR | --config FILE] [--timeout SECONDS]\n"
         "Asks the running agent to read its configuration again and waits for its verdict.\n"
         "Exit codes: 0 applied, 1 refused (the reason on stderr; the agent keeps the running\n"
         "configuration) or no verdict in time, 2 usage error or no running agent found.\n";
}

}  // namespace

int runReloadCommand(const Arguments& arguments, CommandIo& io) {
  Arguments args = arguments;
  if (!args.empty() && isHelpFlag(args[0])) {
    printReloadUsage(io.out);
    return kExitOk;
  }
  const AgentLocation location = takeAgentLocation(args);
  std::chrono::seconds wait = kDefaultWait;
  for (std::size_t i = 0; i < args.size();) {
    std::string value;
    if (takeFlagValue(args, i, "--timeout", value)) {
      wait = std::chrono::seconds(std::atol(value.c_str()));
      continue;
    }
    printReloadUsage(io.err);
    return kExitUsage;
  }
  const std::string runDir = agentRunDirectory(location);
  auto before = readReloadVerdict(runDir);
  if (!before) {
    io.err << "daemonlet: " << before.error().describe() << "\n";
    return kExitUsage;
  }
  if (::kill(before->pid, SIGHUP) != 0) {
    io.err << "daemonlet: cannot signal the agent (pid " << before->pid << "): " << std::strerror(errno) << "\n";
    return kExitUsage;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto now = readReloadVerdict(runDir);
    if (now && (now->pid != before->pid || now->generation > before->generation)) {
      if (now->pid != before->pid) {
        io.err << "daemonlet: the agent restarted during the reload (pid " << now->pid << ")\n";
        return kExitInvalid;
      }
      if (!now->applied) {
        io.err << "daemonlet: configuration refused, the agent keeps the running one: " << now->message << "\n";
        return kExitInvalid;
      }
      io.out << "configuration reloaded\n";
      return kExitOk;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      io.err << "daemonlet: no reload verdict from the agent (pid " << before->pid << ") within " << wait.count()
             << " s\n";
      return kExitInvalid;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace daemonlet::cli
