#pragma once
// pidfd system calls. Debian 12's <sys/pidfd.h> (glibc 2.36) lacks extern "C", so
// C++ cannot link against it; the raw system calls are simpler than working around it.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace daemonlet::runtime::process {

// A file descriptor that becomes readable when `pid` exits; -1 with errno set.
inline int openPidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Signals exactly the process the pidfd refers to (never a recycled pid); 0 on success.
inline int signalPidfd(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

}  // namespace daemonlet::runtime::process
