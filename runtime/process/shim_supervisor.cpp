#include "runtime/process/shim_supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

#include "runtime/process/atomic_file.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/container_record.h"

namespace daemonlet::runtime::process {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// Reads what one pipe has; false once it reached end of file.
bool pump(UniqueFd& pipe, CriLogWriter::Stream stream, CriLogWriter& log) {
  char buffer[kReadChunk];
  for (;;) {
    ssize_t n = ::read(pipe.get(), buffer, sizeof buffer);
    if (n > 0) {
      log.append(stream, std::string_view(buffer, static_cast<size_t>(n)));
      if (static_cast<size_t>(n) < sizeof buffer) return true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    log.finish(stream);
    pipe.reset();
    return false;
  }
}

ExitRecord waitForExit(const ShimSpec& spec, const SpawnedContainer& container) {
  ExitRecord record;
  record.id = spec.id;
  record.pid = container.pid;
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(container.pid), &info, WEXITED) != 0 && errno == EINTR) {
  }
  record.finishedAtUnixNano = wallClockUnixNano();
  if (info.si_code == CLD_EXITED) {
    record.exitCode = info.si_status;
  } else {
    record.signal = info.si_status;
    record.exitCode = 128 + info.si_status;
    record.coreDumped = info.si_code == CLD_DUMPED;
  }
  return record;
}

}  // namespace

bool superviseContainer(const ShimSpec& spec, SpawnedContainer& container, CriLogWriter& log) {
  const long long oomKillsBefore = cgroupOomKillCount(spec.cgroupPath);
  UniqueFd* pipes[2] = {&container.stdoutRead, &container.stderrRead};
  const CriLogWriter::Stream streams[2] = {CriLogWriter::Stream::kStdout, CriLogWriter::Stream::kStderr};
  for (;;) {
    pollfd fds[3];
    nfds_t count = 0;
    int pipeAt[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
      if (!pipes[i]->valid()) continue;
      pipeAt[i] = static_cast<int>(count);
      fds[count++] = pollfd{pipes[i]->get(), POLLIN, 0};
    }
    const nfds_t pidfdAt = count;
    fds[count++] = pollfd{container.pidfd.get(), POLLIN, 0};
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (pipeAt[i] >= 0 && fds[pipeAt[i]].revents != 0) pump(*pipes[i], streams[i], log);
    }
    if (fds[pidfdAt].revents != 0) break;
  }

  ExitRecord record = waitForExit(spec, container);
  // The main process is gone: nothing of the container may outlive it (Kubernetes
  // semantics), so its group and cgroup are killed.
  ::kill(-container.pid, SIGKILL);
  killCgroup(spec.cgroupPath);
  record.oomKilled = cgroupOomKillCount(spec.cgroupPath) > oomKillsBefore && record.signal == SIGKILL;
  // Collect what is still buffered in the pipes without waiting for writers that
  // escaped the group.
  for (int i = 0; i < 2; ++i) {
    if (!pipes[i]->valid()) continue;
    ::fcntl(pipes[i]->get(), F_SETFL, ::fcntl(pipes[i]->get(), F_GETFL) | O_NONBLOCK);
    if (pump(*pipes[i], streams[i], log)) {
      log.finish(streams[i]);
      pipes[i]->reset();
    }
  }
  // Nobody to tell if this fails (the shim's stdio is /dev/null): the agent then
  // reports the exit as ContainerStatusUnknown.
  return writeFileAtomically(exitRecordPath(spec.recordDir, spec.id), encodeExitRecord(record),
                             spec.syncExitRecord ? Durability::kSynced : Durability::kRenameOnly)
      .has_value();
}

}  // namespace daemonlet::runtime::process
