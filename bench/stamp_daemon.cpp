// stamp_daemon: the daemon every supervisor in the benchmark runs.
//
// On start it appends one line "<pid> <CLOCK_MONOTONIC ns>\n" to its stamp file
// and then sleeps until a signal kills it. The stamp is taken as the very first
// thing in main(), so the benchmark measures "the supervisor has exec'd the
// daemon", not anything the daemon does afterwards.
//
// Which stamp file:
//   stamp_daemon /ABS/FILE     that file (daemonlet and supervisord pass it in argv)
//   stamp_daemon [WORD]        $STAMP_DIR/<basename of the working directory>
//                              (s6-supervise passes the service name as WORD)
// The second form lets a service directory's `run` be a plain symlink to this
// binary (daemontools, runit and s6 exec ./run with the service directory as
// working directory), so there is no shell anywhere in the spawn path.
//
// Plain C library calls only, linked statically when possible: the start cost
// should be the kernel's exec, not a dynamic loader resolving libstdc++.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

namespace {

// Writes the stamp with one write(2) on an O_APPEND descriptor, so a reader sees
// either no new line or the whole line.
bool appendStamp(const char* path, long long monotonicNs) {
  char line[64];
  int length = snprintf(line, sizeof line, "%d %lld\n", static_cast<int>(getpid()), monotonicNs);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write(fd, line, static_cast<size_t>(length)) == length;
  return close(fd) == 0 && ok;
}

// $STAMP_DIR/<basename of cwd>, for the argv-less form.
bool stampPathFromWorkingDirectory(char* out, size_t size) {
  const char* dir = getenv("STAMP_DIR");
  char cwd[4096];
  if (dir == nullptr || getcwd(cwd, sizeof cwd) == nullptr) return false;
  const char* slash = strrchr(cwd, '/');
  const char* name = slash != nullptr ? slash + 1 : cwd;
  int length = snprintf(out, size, "%s/%s", dir, name);
  return length > 0 && static_cast<size_t>(length) < size;
}

}  // namespace

int main(int argc, char** argv) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long monotonicNs = static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;

  char derived[4096];
  const char* path = argc > 1 && argv[1][0] == '/' ? argv[1] : nullptr;
  if (path == nullptr) {
    if (!stampPathFromWorkingDirectory(derived, sizeof derived)) {
      fputs("stamp_daemon: give a stamp file, or set STAMP_DIR and run from the service directory\n", stderr);
      return 2;
    }
    path = derived;
  }
  if (!appendStamp(path, monotonicNs)) {
    perror("stamp_daemon: cannot write stamp");
    return 1;
  }
  // Supervisors differ in the signal dispositions they hand down; a daemon killed
  // by the benchmark must die, so restore the defaults for the usual signals.
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  for (;;) pause();
}
