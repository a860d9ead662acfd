#pragma once
// The shim host: one long-lived process per runtime state directory that is
// the parent of every host-process container. It holds each container's
// stdout/stderr pipes and writes them to the CRI logs, notices each exit on the
// container's pidfd, reaps it, ends what is left of its process group and
// cgroup (as a pid namespace would when its init dies), and writes the exit
// record. The agent asks it to start containers over a unix socket
// (shim_wire.h) and hears about exits there; it is never the containers'
// parent and never holds their pipes, so containers keep running, and
// logging, while the agent is down or restarting.
//
// Why one process for all containers rather than a shim per container (as
// containerd does): a supervisor per daemon costs private memory even when
// linked statically, and a process exec per
// (re)start; one event loop costs a few hundred bytes per container and lets a
// restart be a single fork+exec (bench/README.md). The trade-off: if the host
// itself is killed, its containers keep running but lose their log pipes (a
// daemon that then writes to stdout gets SIGPIPE), and their exits are
// recorded as ContainerStatusUnknown; the agent starts a new host for later
// starts.
//
// One host per socket: it holds an exclusive lock on "<socket>.lock" for its
// whole life, so a second one started by a racing agent leaves at once. It
// exits by itself once it has no container and no connected agent.
#include <string>

namespace daemonlet::runtime::process {

struct ShimHostOptions {
  std::string socketPath;
  // Written and closed once the socket listens (or the host gave up), so the
  // starter can wait for it without polling. -1: none.
  int readyFd = -1;
};

// Runs the host on the calling thread until it has nothing left to serve.
// Returns the process exit status (0 normally, 1 when the socket cannot be set up).
int runShimHost(const ShimHostOptions& options);

}  // namespace daemonlet::runtime::process
