#pragma once
// A command run for a host container (the host runtime's exec, for exec probes):
// directly (argv, no shell) on the host with the container's environment and
// working directory, in its own process group, with stdin on /dev/null.
// Exit status 0 is success; a failure's message carries the start of its output
// (stdout and stderr, up to 10 KiB). A timeout SIGKILLs the whole group and
// counts as a failure.
//
// The child is watched through a pidfd on the io_context (no thread, no polling)
// and reaped with waitpid(pid). Assumption: nothing else in the agent reaps
// children with waitpid(-1) or ignores SIGCHLD; if it did, the exit status would
// be lost and the command reports a failure saying so.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace daemonlet::runtime::process {

// The PATH container runtimes give a process whose image sets none.
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct HostExecRequest {
  std::vector<std::string> command;
  std::map<std::string, std::string> env;  // exactly the environment the child gets
  std::string workingDir;                  // empty: the agent's own
};

std::shared_ptr<ExecHandle> startHostExec(boost::asio::io_context& io, const HostExecRequest& request,
                                          std::chrono::milliseconds timeout, ExecCallback done);

// Resolves argv[0] the way execvp would, but with the container's PATH (or the
// runtime default when it has none). Returns "" when nothing executable is found.
std::string resolveExecutable(const std::string& name, const std::map<std::string, std::string>& env);

}  // namespace daemonlet::runtime::process
