#pragma once
// The shim entry point: `daemonlet shim --spec-fd N --report-fd M [--id ID]`
// (argv[0] is the subcommand or program name and is ignored). The CLI dispatcher
// calls it for the `shim` subcommand; the `daemonlet-shim` executable
// (runtime/process/shim_executable.cpp) is the same thing on its own, for tests
// and for hosts that want a small shim binary.
//
// One shim per container, like containerd-shim: it leaves the agent's session and
// process tree (setsid + double fork) so the container outlives the agent, holds
// the container's stdout/stderr pipes and writes them to the CRI log, and writes
// the exit record when the container exits. Exit status: 0 when the container ran
// and its exit was recorded, 1 when it could not start, 2 on bad usage.
namespace daemonlet::runtime::process {

int runShim(int argc, char** argv);

}  // namespace daemonlet::runtime::process
