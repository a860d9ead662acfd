#include "runtime/process/shim_main.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/base/file_limit.h"
#include "runtime/process/shim_container.h"
#include "runtime/process/shim_host.h"

namespace daemonlet::runtime::process {
namespace {

bool parseArgs(int argc, char** argv, ShimHostOptions& options, rlim_t& containerNofile) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    if (arg == "--listen") {
      options.socketPath = argv[++i];
    } else if (arg == "--ready-fd") {
      options.readyFd = std::atoi(argv[++i]);
    } else if (arg == "--container-nofile") {
      // The soft limit the agent was started with (it raised its own, and we
      // inherit the raised one): what containers get back.
      containerNofile = std::strtoull(argv[++i], nullptr, 10);
    } else {
      return false;
    }
  }
  return !options.socketPath.empty();
}

// Leaves the starter's session and process tree; returns in the grandchild only.
bool detachFromStarter() {
  ::setsid();
  pid_t child = ::fork();
  if (child < 0) return false;
  if (child > 0) ::_exit(0);  // the starter reaps this one at once
  return true;
}

void keepOnlyFd(int keep) {
  if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
  ::close_range(static_cast<unsigned>(keep > 2 ? keep + 1 : 3), ~0U, 0);
  if (keep >= 0) ::fcntl(keep, F_SETFD, FD_CLOEXEC);  // never into a container
  // Nothing of the starter's stdio stays open: a long-lived host holding the
  // agent's stdout/stderr would keep whoever reads them (a terminal, a test
  // harness) waiting long after the agent is gone.
  int devNull = ::open("/dev/null", O_RDWR);
  if (devNull >= 0) {
    for (int fd = 0; fd <= 2; ++fd) {
      if (devNull != fd && fd != keep) ::dup2(devNull, fd);
    }
    if (devNull > 2) ::close(devNull);
  }
}

// Four descriptors per container (two pipes, a pidfd, a log file): 200
// daemons exceed the usual soft limit of 1024. Containers get the limit we
// (or, with --container-nofile, the agent) were started with back
// (shim_container.h).
void raiseFileLimit(rlim_t containerNofile) {
  base::FileLimitChange change = base::raiseOpenFileLimit();
  rlimit forContainers = change.original;
  if (containerNofile > 0 && containerNofile <= forContainers.rlim_max) forContainers.rlim_cur = containerNofile;
  rememberContainerFileLimit(forContainers);
}

}  // namespace

// A pod scope's anchor (pod_scopes.h): stays until its stdin ends.
int holdUntilStdinCloses() {
  char buffer[64];
  for (;;) {
    ssize_t n = ::read(0, buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EINTR)) return 0;
  }
}

int runShim(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--hold") return holdUntilStdinCloses();
  ShimHostOptions options;
  rlim_t containerNofile = 0;
  if (!parseArgs(argc, argv, options, containerNofile)) {
    std::fprintf(stderr, "usage: daemonlet shim --listen SOCKET [--ready-fd N] [--container-nofile N]\n");
    return 2;
  }
  if (!detachFromStarter()) return 1;
  // Only SIGKILL ends the host: not the agent's terminal, not the service
  // manager stopping the agent. SIGPIPE: a vanished agent is not a reason to stop.
  for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM}) ::signal(sig, SIG_IGN);
  keepOnlyFd(options.readyFd);
  if (::chdir("/") != 0) return 1;  // pin no directory of the starter's
  raiseFileLimit(containerNofile);
  return runShimHost(options);
}

}  // namespace daemonlet::runtime::process
