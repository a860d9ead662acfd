#pragma once
// exec probe attempt: runs the command directly (argv, no shell) on the host with
// the container's environment and working directory, in its own process group,
// with stdin/stdout/stderr on /dev/null. Exit status 0 is success; a timeout
// SIGKILLs the whole group and counts as a failure.
//
// The child is watched through a pidfd on the io_context (no thread, no polling)
// and reaped with waitpid(pid). Assumption: nothing else in the agent reaps
// children with waitpid(-1) or ignores SIGCHLD; if it did, the exit status would
// be lost and the attempt reports a failure saying so.
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/prober/probe_attempt.h"

namespace daemonlet::prober {

struct ExecRequest {
  std::vector<std::string> command;
  std::map<std::string, std::string> env;  // exactly the environment the child gets
  std::string workingDir;                  // empty: the agent's own
};

std::shared_ptr<ProbeAttempt> startExecAttempt(boost::asio::io_context& io, const ExecRequest& request,
                                               ProbeTimeout timeout, ProbeCallback done);

// Resolves argv[0] the way execvp would, but with the container's PATH (or the
// runtime default when it has none). Returns "" when nothing executable is found.
std::string resolveExecutable(const std::string& name, const std::map<std::string, std::string>& env);

}  // namespace daemonlet::prober
