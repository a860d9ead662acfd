#include "runtime/process/shim_main.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/process/cri_log_writer.h"
#include "runtime/process/proc_fs.h"
#include "runtime/process/shim_container.h"
#include "runtime/process/shim_protocol.h"
#include "runtime/process/shim_supervisor.h"

namespace daemonlet::runtime::process {
namespace {

struct ShimArgs {
  int specFd = -1;
  int reportFd = -1;
};

bool parseArgs(int argc, char** argv, ShimArgs& args) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    if (arg == "--spec-fd") {
      args.specFd = std::atoi(argv[++i]);
    } else if (arg == "--report-fd") {
      args.reportFd = std::atoi(argv[++i]);
    } else if (arg == "--id") {
      ++i;  // only there so `ps` shows which container a shim serves
    } else {
      return false;
    }
  }
  return args.specFd >= 0 && args.reportFd >= 0;
}

std::string readAll(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

void sendReport(int& reportFd, const ShimReport& report) {
  if (reportFd < 0) return;
  std::string text = encodeShimReport(report);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(reportFd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(reportFd);
  reportFd = -1;
}

int failStart(int& reportFd, const std::string& why) {
  ShimReport report;
  report.error = why;
  report.shimPid = ::getpid();
  sendReport(reportFd, report);
  return 1;
}

// Leaves the agent's session and process tree; returns in the grandchild only.
bool detachFromAgent() {
  ::setsid();
  pid_t child = ::fork();
  if (child < 0) return false;
  if (child > 0) ::_exit(0);  // the agent reaps this one at once
  return true;
}

void keepOnlyFd(int keep) {
  if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
  ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
  // The report channel must not leak into the container: the agent waits for its
  // end of file.
  ::fcntl(keep, F_SETFD, FD_CLOEXEC);
  // Nothing of the agent's stdio stays open here: a long-lived shim holding the
  // agent's stdout/stderr would keep whoever reads them (a terminal, a test
  // harness) waiting long after the agent is gone. Start problems travel in the
  // report; later ones show up as a missing exit record (ContainerStatusUnknown).
  int devNull = ::open("/dev/null", O_RDWR);
  if (devNull >= 0) {
    for (int fd = 0; fd <= 2; ++fd) {
      if (devNull != fd && fd != keep) ::dup2(devNull, fd);
    }
    if (devNull > 2) ::close(devNull);
  }
}

}  // namespace

int runShim(int argc, char** argv) {
  ShimArgs args;
  if (!parseArgs(argc, argv, args)) {
    std::fprintf(stderr, "usage: daemonlet shim --spec-fd N --report-fd M [--id ID]\n");
    return 2;
  }
  std::string specText = readAll(args.specFd);
  ::close(args.specFd);
  auto spec = decodeShimSpec(specText);
  if (!spec) return failStart(args.reportFd, spec.error().describe());
  if (!detachFromAgent()) return failStart(args.reportFd, std::string("fork: ") + std::strerror(errno));

  // The shim must not die with the agent's terminal or service stop signal; only
  // the container's exit (or SIGKILL) ends it. SIGPIPE: a vanished log reader is
  // not a reason to stop.
  for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM}) ::signal(sig, SIG_IGN);
  keepOnlyFd(args.reportFd);

  CriLogWriter log(spec->logPath, spec->logMaxBytes, spec->logMaxFiles);
  if (auto opened = log.open(); !opened) return failStart(args.reportFd, opened.error().describe());
  auto container = spawnContainer(*spec);
  if (!container) return failStart(args.reportFd, container.error().describe());

  ShimReport report;
  report.started = true;
  report.pid = container->pid;
  report.pidStartTime = container->startTime;
  report.shimPid = ::getpid();
  if (auto self = readProcStat(::getpid())) report.shimStartTime = self->startTime;
  report.startedAtUnixNano = container->startedAtUnixNano;
  report.cgroupPath = spec->cgroupPath;
  sendReport(args.reportFd, report);
  // From here the shim idles beside its container for as long as that runs, one
  // shim per daemon, so its private memory counts once per daemon: give back
  // the heap pages that decoding the spec and starting the container dirtied.
  ::malloc_trim(0);

  return superviseContainer(*spec, *container, log) ? 0 : 1;
}

}  // namespace daemonlet::runtime::process
