#include "runtime/process/shim_container.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "runtime/process/pidfd.h"

#include "runtime/process/cri_log_writer.h"
#include "runtime/process/proc_fs.h"
#include "runtime/process/shim_privileges.h"


namespace daemonlet::runtime::process {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

base::Result<Pipe> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::optional<rlimit> containerFileLimit;

// The child's first word on the status pipe: it ran. A child that writes
// nothing before the pipe closes never ran at all (killed at birth, see
// cgroupsRefusingBirth); anything after the mark is why its exec failed.
constexpr char kChildRanMark = '+';

// Cgroups this kernel kills every child born into (clone3 CLONE_INTO_CGROUP):
// on 6.18 a cgroup that was ever cgroup.kill'ed SIGKILLs each child cloned
// into it at birth (bench/README.md, 2026-12-03). Children join those by
// writing cgroup.procs instead. Bounded: forgetting one costs one more clone.
std::set<std::string>& cgroupsRefusingBirth() {
  static std::set<std::string> refusing;
  return refusing;
}
constexpr std::size_t kMaxRememberedRefusingCgroups = 1024;

// A child born in its cgroup (clone3 with CLONE_INTO_CGROUP, Linux 5.7+, a
// cgroup v2 directory). Moving a running process there by writing
// cgroup.procs takes the kernel's cgroup_threadgroup_rwsem for writing, which
// waits for an RCU grace period whenever no migration ran in the last one:
// 9-23 ms a start on a 2-CPU VM (bench/README.md), most of an isolated
// restart; a fork into the cgroup takes that lock only for reading. Fork
// semantics (a copy of the shim, not vfork's shared memory: a raw clone3
// cannot share the stack it returns on), so the child runs the same
// vfork-safe code on its own copy. Returns the child's pid, 0 in the child,
// or -1 with errno when the kernel or the directory does not allow it (a v1
// hierarchy, a kernel before 5.7).
pid_t cloneIntoCgroup(int cgroupDirFd) {
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<std::uint64_t>(cgroupDirFd);
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

// Everything the status pipe carried once it closed: empty when the child
// never ran, else the mark and the exec failure, if any.
std::string drainStatusPipe(int fd) {
  std::string said;
  char buffer[512];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    said.append(buffer, static_cast<size_t>(n));
  }
  return said;
}

// In the (vfork) child only: report why the container could not start and
// leave. Only the stack and system calls: the memory is the parent's.
[[noreturn]] void failChild(int errorFd, const char* stage) {
  int savedErrno = errno;
  char message[512];
  int n = std::snprintf(message, sizeof message, "%s: %s", stage, std::strerror(savedErrno));
  if (n > 0) (void)!::write(errorFd, message, static_cast<size_t>(std::min(n, 511)));
  ::_exit(127);
}

// What execvp would try, in order, resolved before the child exists: argv[0]
// itself when it names a path, otherwise argv[0] in each directory of the
// container's PATH (not the shim's). No shell fallback for scripts without a
// #! line: nothing but the container's own program runs in the spawn path.
std::vector<std::string> executableCandidates(const ShimSpec& spec) {
  const std::string& file = spec.argv[0];
  if (file.find('/') != std::string::npos) return {file};
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& variable : spec.env) {
    if (variable.rfind("PATH=", 0) == 0) path = variable.substr(5);
  }
  std::vector<std::string> candidates;
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = path.find(':', begin);
    std::string dir = path.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    candidates.push_back((dir.empty() ? std::string(".") : dir) + "/" + file);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return candidates;
}

}  // namespace

void rememberContainerFileLimit(const rlimit& limit) { containerFileLimit = limit; }

base::Result<SpawnedContainer> spawnContainer(const ShimSpec& spec) {
  auto out = makePipe();
  if (!out) return out.error();
  auto err = makePipe();
  if (!err) return err.error();
  auto status = makePipe();  // closed by a successful exec; carries the reason otherwise
  if (!status) return status.error();
  UniqueFd devNull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  // The container's own cgroup last: it is the one the shim watches and kills.
  std::vector<std::string> cgroupPaths = spec.extraCgroupPaths;
  if (!spec.cgroupPath.empty()) cgroupPaths.push_back(spec.cgroupPath);
  std::vector<UniqueFd> cgroupProcs;
  std::vector<int> cgroupProcsFds;
  for (const std::string& path : cgroupPaths) {
    cgroupProcs.emplace_back(::open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!cgroupProcs.back().valid()) {
      return base::makeError(base::ErrorCode::kIo, std::string("open cgroup.procs: ") + std::strerror(errno), path);
    }
    cgroupProcsFds.push_back(cgroupProcs.back().get());
  }

  // Everything that allocates happens before vfork: the child shares our
  // memory until it execs.
  std::vector<std::string> candidates = executableCandidates(spec);
  std::vector<const char*> candidatePaths;
  for (const auto& candidate : candidates) candidatePaths.push_back(candidate.c_str());
  std::vector<char*> argv;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& var : spec.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);
  const std::string workingDir = spec.workingDir.empty() ? "/" : spec.workingDir;
  std::vector<std::string> warnings;
  const PreparedPrivileges privileges = preparePrivileges(spec, warnings);

  // One cgroup v2 directory to join (no systemd scope on v1 hierarchies) that
  // has not refused a birth: the child is created in it (cloneIntoCgroup).
  UniqueFd cgroupDir;
  if (spec.extraCgroupPaths.empty() && !spec.cgroupPath.empty() && !cgroupsRefusingBirth().count(spec.cgroupPath)) {
    cgroupDir.reset(::open(spec.cgroupPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }

  // The child's side, in a vfork child or a child born in its cgroup: only the
  // stack and system calls (a vfork child shares our memory until it execs).
  // `errorFd`: the status pipe's write end; `joinCgroups`: whether it still has
  // to write itself into cgroupProcsFds.
  auto runChild = [&](int errorFd, bool joinCgroups) {
    (void)!::write(errorFd, &kChildRanMark, 1);
    // Undo what the shim set for itself; a container starts with default signals.
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGCHLD}) ::signal(sig, SIG_DFL);
    if (::setpgid(0, 0) != 0) failChild(errorFd, "setpgid");
    for (int procs : cgroupProcsFds) {
      if (joinCgroups && ::write(procs, "0", 1) != 1) failChild(errorFd, "join cgroup");
    }
    if (::dup2(devNull.get(), 0) < 0 || ::dup2(out->write.get(), 1) < 0 || ::dup2(err->write.get(), 2) < 0) {
      failChild(errorFd, "dup2");
    }
    if (::chdir(workingDir.c_str()) != 0) failChild(errorFd, "chdir to workingDir");
    if (const char* step = applyPrivileges(privileges)) failChild(errorFd, step);
    // Last before exec: the host holds many fds (more than the container's limit),
    // so an open() after lowering the limit would fail with EMFILE. Lowering a
    // soft limit needs no privilege, so it still works after setuid.
    if (containerFileLimit && ::setrlimit(RLIMIT_NOFILE, &*containerFileLimit) != 0) {
      failChild(errorFd, "setrlimit");
    }
    // As execvp: EACCES from any candidate wins over ENOENT from the others.
    int lastError = ENOENT;
    bool denied = false;
    for (const char* candidate : candidatePaths) {
      ::execve(candidate, argv.data(), envp.data());
      if (errno == EACCES) {
        denied = true;
      } else if (errno != ENOENT && errno != ENOTDIR) {
        lastError = errno;
        break;
      }
    }
    errno = denied ? EACCES : lastError;
    failChild(errorFd, "exec");
  };

  std::int64_t startedAt = wallClockUnixNano();
  std::string childSaid;
  pid_t pid = -1;
  if (cgroupDir.valid()) {
    pid = cloneIntoCgroup(cgroupDir.get());
    if (pid == 0) runChild(status->write.get(), false);
    if (pid > 0) {
      // The parent's copy of the status pipe must go before the read can end.
      status->write.reset();
      childSaid = drainStatusPipe(status->read.get());
      if (childSaid.empty()) {
        // Killed at birth: the cgroup refuses children born into it. Reaped,
        // and this start (and every later one here) joins by writing.
        ::waitpid(pid, nullptr, 0);
        if (cgroupsRefusingBirth().size() >= kMaxRememberedRefusingCgroups) cgroupsRefusingBirth().clear();
        cgroupsRefusingBirth().insert(spec.cgroupPath);
        warnings.push_back("a child cloned into " + spec.cgroupPath +
                           " was killed at birth (the cgroup was killed before); the container joins it by cgroup.procs");
        pid = -1;
        status = makePipe();
        if (!status) return status.error();
      }
    }
  }
  if (pid <= 0) {
    // vfork: no copy of our page tables, and we sleep until the child has
    // exec'd (the host has no signal handlers a child could run on our memory).
    const int errorFd = status->write.get();
    pid = ::vfork();
    if (pid < 0) return base::makeError(base::ErrorCode::kIo, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) runChild(errorFd, true);
    status->write.reset();
    childSaid = drainStatusPipe(status->read.get());
  }

  // Both sides set the group, so a signal to -pid can never miss the child.
  ::setpgid(pid, pid);
  out->write.reset();
  err->write.reset();
  const std::string failure = childSaid.empty() ? std::string() : childSaid.substr(1);
  if (childSaid.empty() || !failure.empty()) {
    ::waitpid(pid, nullptr, 0);
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           failure.empty() ? std::string("the container's process was killed before it ran") : failure,
                           spec.argv[0]);
  }

  SpawnedContainer spawned;
  spawned.pid = pid;
  spawned.startedAtUnixNano = startedAt;
  spawned.pidfd.reset(openPidfd(pid));
  if (!spawned.pidfd.valid()) {
    // Exit detection rests on pidfds (Linux 5.3+); without one the shim could
    // never notice the exit, so refuse to run the container at all.
    auto error = base::makeError(base::ErrorCode::kInternal,
                                 std::string("pidfd_open: ") + std::strerror(errno) + " (Linux 5.3 or newer needed)");
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return error;
  }
  if (auto stat = readProcStat(pid)) spawned.startTime = stat->startTime;
  checkOomScoreAdj(pid, privileges, warnings);
  spawned.warnings = std::move(warnings);
  spawned.stdoutRead = std::move(out->read);
  spawned.stderrRead = std::move(err->read);
  return spawned;
}

}  // namespace daemonlet::runtime::process
