// supervisor_bench: the measuring half of bench/run.sh. Each subcommand measures
// one thing about a supervisor that runs copies of stamp_daemon, and prints one
// line of key=value figures. Times come from CLOCK_MONOTONIC here and in the
// daemons (their stamps), so how quickly this tool notices a stamp never counts.
//
//   start   --stamps DIR --count N --timeout-s S --pidfile F --log F -- ARGV...
//           spawns the supervisor (own session, no shell), waits until N daemons
//           have stamped, prints coldstart_s = newest first stamp - spawn time.
//   restart --stamps DIR --daemon-exe P --kills K [--gap-ms G] [--timeout-ms T]
//           SIGKILLs daemons in turn; latency = the new copy's stamp - kill time.
//   usage   --root PID --stamps DIR --daemon-exe P [--seconds S]
//           memory, CPU used so far (start_cpu_ms) and idle CPU of the
//           supervisor's processes, daemons excluded.
//   cleanup --root PID --stamps DIR --daemon-exe P --scope DIR
//           SIGKILLs the supervisor, its helpers and its daemons, and any process
//           still running from or for DIR.
//   forkexec [--times N]
//           the machine's floor for starting a process: fork, exec /bin/true,
//           wait, N times; prints the median and p95 in ms.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/proc_sample.h"
#include "bench/stamps.h"

extern char** environ;

namespace daemonlet::bench {
namespace {

constexpr double kNsPerMs = 1e6;
constexpr double kKiBPerMiB = 1024.0;

struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> command;  // after "--"

  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  }
  long number(const std::string& key, long fallback) const {
    auto it = options.find(key);
    return it == options.end() ? fallback : std::atol(it->second.c_str());
  }
};

Args parseArgs(int argc, char** argv) {
  Args args;
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--") {
      args.command.assign(argv + i + 1, argv + argc);
      break;
    }
    if (word.starts_with("--") && i + 1 < argc) args.options[word.substr(2)] = argv[++i];
  }
  return args;
}

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "supervisor_bench: %s\n", message.c_str());
  std::exit(1);
}

// An inotify descriptor reporting finished writes to stamp files in dir.
int watchStampDir(const std::string& dir) {
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0 || inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MODIFY) < 0) {
    fail("cannot watch " + dir + ": " + std::strerror(errno));
  }
  return fd;
}

// Waits up to timeoutMs for inotify events; returns the file names they name.
std::vector<std::string> awaitStampEvents(int fd, int timeoutMs) {
  std::vector<std::string> names;
  pollfd pfd{fd, POLLIN, 0};
  if (poll(&pfd, 1, timeoutMs) <= 0) return names;
  alignas(inotify_event) char buffer[16384];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      auto* event = reinterpret_cast<inotify_event*>(buffer + at);
      if (event->len > 0) names.emplace_back(event->name);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return names;
}

double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least `fraction` of samples at or below it.
  auto rank = static_cast<size_t>(fraction * static_cast<double>(values.size()) + 0.999999);
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

int commandStart(const Args& args) {
  const std::string dir = args.get("stamps");
  const long count = args.number("count", 1);
  const long timeoutS = args.number("timeout-s", 60);
  if (dir.empty() || args.command.empty()) fail("start needs --stamps and a command after --");
  int inotifyFd = watchStampDir(dir);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, args.get("log", "/dev/null").c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv;
  for (const auto& word : args.command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);

  pid_t pid = 0;
  const std::int64_t spawnedAt = monotonicNow();
  int rc = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  if (rc != 0) fail("cannot start " + args.command[0] + ": " + std::strerror(rc));
  if (!args.get("pidfile").empty()) std::ofstream(args.get("pidfile")) << pid << "\n";

  std::set<std::string> stamped;
  for (const auto& name : stampFileNames(dir)) stamped.insert(name);
  const std::int64_t deadline = spawnedAt + timeoutS * 1'000'000'000LL;
  while (static_cast<long>(stamped.size()) < count) {
    const std::int64_t left = deadline - monotonicNow();
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) fail("the supervisor exited early; see its log");
    if (left <= 0) {
      std::printf("coldstart_s=timeout stamped=%zu of %ld\n", stamped.size(), count);
      return 1;
    }
    for (auto& name : awaitStampEvents(inotifyFd, static_cast<int>(std::min<std::int64_t>(left / 1'000'000, 200)))) {
      stamped.insert(name);
    }
  }
  std::int64_t first = INT64_MAX;
  std::int64_t last = 0;
  for (const auto& name : stamped) {
    // The name shows on creation; the daemon writes its line just after
    // (a slow machine, or an agent under valgrind, widens that gap).
    auto stamp = firstStamp(dir + "/" + name);
    for (int retry = 0; !stamp && retry < 200; ++retry) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      stamp = firstStamp(dir + "/" + name);
    }
    if (!stamp) fail("unreadable stamp " + name);
    first = std::min(first, stamp->monotonicNs);
    last = std::max(last, stamp->monotonicNs);
  }
  std::printf("coldstart_s=%.3f first_daemon_s=%.3f\n", static_cast<double>(last - spawnedAt) / 1e9,
              static_cast<double>(first - spawnedAt) / 1e9);
  return 0;
}

int commandRestart(const Args& args) {
  const std::string dir = args.get("stamps");
  const std::string daemonExe = args.get("daemon-exe");
  const long kills = args.number("kills", 50);
  const long gapMs = args.number("gap-ms", 20);
  const long timeoutMs = args.number("timeout-ms", 5000);
  auto names = stampFileNames(dir);
  if (names.empty() || daemonExe.empty()) fail("restart needs --daemon-exe and a stamp directory with stamps");
  int inotifyFd = watchStampDir(dir);

  std::vector<double> latenciesMs;
  long failures = 0;
  for (long k = 0; k < kills; ++k) {
    const std::string path = dir + "/" + names[static_cast<size_t>(k) % names.size()];
    auto before = lastStamp(path);
    if (!before || !isAlive(before->pid) || exePath(before->pid) != daemonExe) {
      ++failures;  // not (yet) running: the previous restart of this daemon failed
      continue;
    }
    awaitStampEvents(inotifyFd, 0);  // drop events from earlier rounds
    const std::int64_t killedAt = monotonicNow();
    if (kill(before->pid, SIGKILL) != 0) fail("kill: " + std::string(std::strerror(errno)));
    bool restarted = false;
    while (!restarted && monotonicNow() - killedAt < timeoutMs * 1'000'000LL) {
      awaitStampEvents(inotifyFd, 50);
      auto after = lastStamp(path);
      if (after && after->pid != before->pid && after->monotonicNs > killedAt) {
        latenciesMs.push_back(static_cast<double>(after->monotonicNs - killedAt) / kNsPerMs);
        restarted = true;
      }
    }
    if (!restarted) ++failures;
    std::this_thread::sleep_for(std::chrono::milliseconds(gapMs));
  }
  if (!args.get("samples").empty()) {
    std::ofstream out(args.get("samples"));
    for (double ms : latenciesMs) out << ms << "\n";
  }
  std::printf("restarts=%zu failed=%ld restart_median_ms=%.2f restart_p95_ms=%.2f restart_min_ms=%.2f "
              "restart_max_ms=%.2f\n",
              latenciesMs.size(), failures, percentile(latenciesMs, 0.5), percentile(latenciesMs, 0.95),
              percentile(latenciesMs, 0.0), percentile(latenciesMs, 1.0));
  return failures == 0 ? 0 : 1;
}

struct Members {
  std::set<pid_t> supervisors;  // the supervisor and its helpers (supervise, runsv, shims...)
  std::set<pid_t> daemons;
};

// The supervisor's processes: root, its process subtree, and the parents of the
// daemons (daemonlet's shims leave the agent's tree), less the daemons.
Members membersOf(pid_t root, const std::string& stampDir, const std::string& daemonExe) {
  auto parents = parentsOfAll();
  Members members;
  members.supervisors = subtreeOf(root, parents);
  for (pid_t pid : currentDaemonPids(stampDir)) {
    if (isAlive(pid) && exePath(pid) == daemonExe) members.daemons.insert(pid);
  }
  for (pid_t pid : members.supervisors) {
    if (exePath(pid) == daemonExe) members.daemons.insert(pid);
  }
  for (pid_t daemon : members.daemons) {
    auto parent = parents.find(daemon);
    if (parent != parents.end() && parent->second > 1) members.supervisors.insert(parent->second);
  }
  for (pid_t daemon : members.daemons) members.supervisors.erase(daemon);
  members.supervisors.erase(getpid());
  members.supervisors.erase(1);
  return members;
}

int commandUsage(const Args& args) {
  const pid_t root = static_cast<pid_t>(args.number("root", 0));
  const long seconds = args.number("seconds", 10);
  if (root <= 1 || !isAlive(root)) fail("usage needs --root with a live supervisor pid");
  Members members = membersOf(root, args.get("stamps"), args.get("daemon-exe"));

  Memory total;
  // CPU the supervisor's processes used since they started: at this point
  // (after the cold start and a settle) that is what starting n daemons cost.
  std::int64_t cpuSoFar = 0;
  std::map<pid_t, std::int64_t> cpuBefore;
  std::map<pid_t, std::int64_t> switchesBefore;
  for (pid_t pid : members.supervisors) {
    Memory memory = memoryOf(pid);
    total.rssKiB += memory.rssKiB;
    total.pssKiB += memory.pssKiB;
    cpuBefore[pid] = cpuNanos(pid);
    cpuSoFar += cpuBefore[pid];
    switchesBefore[pid] = contextSwitches(pid);
  }
  const std::int64_t startedAt = monotonicNow();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double elapsedS = static_cast<double>(monotonicNow() - startedAt) / 1e9;
  std::int64_t cpu = 0;
  std::int64_t switches = 0;
  for (pid_t pid : members.supervisors) {
    if (!isAlive(pid)) continue;
    cpu += cpuNanos(pid) - cpuBefore[pid];
    switches += contextSwitches(pid) - switchesBefore[pid];
  }
  std::printf("procs=%zu daemons=%zu rss_mib=%.2f pss_mib=%.2f start_cpu_ms=%.1f cpu_ms_per_s=%.3f "
              "wakeups_per_s=%.1f\n",
              members.supervisors.size(), members.daemons.size(), static_cast<double>(total.rssKiB) / kKiBPerMiB,
              static_cast<double>(total.pssKiB) / kKiBPerMiB, static_cast<double>(cpuSoFar) / kNsPerMs,
              static_cast<double>(cpu) / kNsPerMs / elapsedS, static_cast<double>(switches) / elapsedS);
  return 0;
}

// Processes still there for this run: the stamp daemon or anything working in
// the run's directory (supervise, runsv and s6-supervise sit in their service dir).
std::set<pid_t> leftoversIn(const std::string& scope, const std::string& daemonExe) {
  std::set<pid_t> found;
  for (const auto& [pid, parent] : parentsOfAll()) {
    if (pid == getpid()) continue;
    const std::string cwd = cwdPath(pid);
    bool inScope = cwd.starts_with(scope + "/") || cwd == scope;
    if (!inScope && exePath(pid) == daemonExe) {
      for (const auto& word : commandLine(pid)) inScope = inScope || word.starts_with(scope + "/");
    }
    if (inScope) found.insert(pid);
  }
  return found;
}

int commandCleanup(const Args& args) {
  const pid_t root = static_cast<pid_t>(args.number("root", 0));
  const std::string scope = args.get("scope");
  const std::string daemonExe = args.get("daemon-exe");
  if (scope.size() < 5 || scope.front() != '/') fail("cleanup needs an absolute --scope directory");
  // Supervisors first, so nothing restarts the daemons killed after them.
  if (root > 1) {
    Members members = membersOf(root, args.get("stamps"), daemonExe);
    kill(root, SIGKILL);
    for (pid_t pid : members.supervisors) kill(pid, SIGKILL);
    for (pid_t pid : members.daemons) kill(pid, SIGKILL);
  }
  for (int round = 0; round < 50; ++round) {
    std::set<pid_t> left = leftoversIn(scope, daemonExe);
    if (root > 1 && isAlive(root)) left.insert(root);
    if (left.empty()) {
      std::printf("cleanup=ok\n");
      return 0;
    }
    for (pid_t pid : left) {
      if (exePath(pid) != daemonExe) kill(pid, SIGKILL);
    }
    for (pid_t pid : left) kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("cleanup=incomplete\n");
  return 1;
}

int commandForkExec(const Args& args) {
  const long times = args.number("times", 200);
  std::vector<double> samplesMs;
  for (long i = 0; i < times; ++i) {
    const std::int64_t startedAt = monotonicNow();
    pid_t pid = fork();
    if (pid < 0) fail("fork: " + std::string(std::strerror(errno)));
    if (pid == 0) {
      execl("/bin/true", "true", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("/bin/true failed");
    samplesMs.push_back(static_cast<double>(monotonicNow() - startedAt) / kNsPerMs);
  }
  std::printf("forkexec_median_ms=%.2f forkexec_p95_ms=%.2f\n", percentile(samplesMs, 0.5), percentile(samplesMs, 0.95));
  return 0;
}

}  // namespace
}  // namespace daemonlet::bench

int main(int argc, char** argv) {
  using namespace daemonlet::bench;
  const std::string command = argc > 1 ? argv[1] : "";
  Args args = parseArgs(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  if (command == "start") return commandStart(args);
  if (command == "restart") return commandRestart(args);
  if (command == "usage") return commandUsage(args);
  if (command == "cleanup") return commandCleanup(args);
  if (command == "forkexec") return commandForkExec(args);
  std::fprintf(stderr, "usage: supervisor_bench start|restart|usage|cleanup|forkexec [options] (see the source header)\n");
  return 2;
}
