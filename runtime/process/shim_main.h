#pragma once
// The shim host's entry point: `daemonlet shim --listen SOCKET [--ready-fd N]`
// (argv[0] is the subcommand or program name and is ignored). The CLI
// dispatcher calls it for the `shim` subcommand; the small static
// `daemonlet-shim` executable (runtime/process/shim_executable.cpp) is the same
// thing on its own, and what the agent prefers.
//
// It leaves the starter's session and process tree (setsid + fork) so the
// containers it will parent outlive the agent, then runs the host (shim_host.h).
// The starter reaps the short-lived first process and waits for end of file on
// the ready fd. Exit status: 0 after serving, 1 when the socket cannot be set
// up, 2 on bad usage.
namespace daemonlet::runtime::process {

int runShim(int argc, char** argv);

}  // namespace daemonlet::runtime::process
