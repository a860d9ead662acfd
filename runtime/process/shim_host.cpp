#include "runtime/process/shim_host.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/atomic_file.h"
#include "runtime/process/file_io.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/container_record.h"
#include "runtime/process/cri_log_writer.h"
#include "runtime/process/proc_fs.h"
#include "runtime/process/shim_container.h"
#include "runtime/process/shim_protocol.h"
#include "runtime/process/shim_wire.h"
#include "runtime/process/unique_fd.h"

namespace daemonlet::runtime::process {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// A host nobody connects to (its starter died right after starting it) leaves
// after this long instead of idling forever.
constexpr int kFirstClientTimeoutMs = 10'000;

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reported with every start: records carry it so a restarted agent can tell
// this host from a later process with the same pid.
std::uint64_t ownStartTime() {
  auto self = readProcStat(::getpid());
  return self ? self->startTime : 0;
}

// One running container: what is needed to log it and record its exit. The
// spec's argv and environment are not kept: 200 containers' environments would
// be the host's largest memory cost.
struct HostedContainer {
  std::string id;
  std::string recordDir;
  std::string cgroupPath;
  bool syncExitRecord = false;
  long long oomKillsBefore = 0;
  SpawnedContainer process;
  std::unique_ptr<CriLogWriter> log;
};

struct Client {
  UniqueFd socket;
  ShimFrameReader reader;
  std::string outbox;  // what the socket did not take yet
  bool waitingToWrite = false;
};

enum class SourceKind { kListener, kClient, kStdout, kStderr, kPidfd };

// What a ready file descriptor belongs to.
struct Source {
  SourceKind kind = SourceKind::kListener;
  std::string containerId;  // for the pipe and pidfd kinds
};

class ShimHost {
 public:
  ShimHost(UniqueFd epoll, UniqueFd listener) : epoll_(std::move(epoll)), listener_(std::move(listener)) {
    add(listener_.get(), EPOLLIN, Source{SourceKind::kListener, {}});
  }

  int run() {
    epoll_event events[64];
    for (;;) {
      if (servedAClient_ && clients_.empty() && containers_.empty()) return 0;
      // Block without a timeout (no wake-ups while idle); when work just ended,
      // first give the heap pages of that burst back, then block.
      int timeout = heapToTrim_ ? 0 : servedAClient_ ? -1 : kFirstClientTimeoutMs;
      int ready = ::epoll_wait(epoll_.get(), events, 64, timeout);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return 1;
      if (ready == 0) {
        if (!heapToTrim_) return 0;  // nobody ever came
        ::malloc_trim(0);
        heapToTrim_ = false;
        continue;
      }
      for (int i = 0; i < ready; ++i) dispatch(events[i].data.fd, events[i].events);
    }
  }

 private:
  void add(int fd, std::uint32_t events, Source source) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
    sources_[fd] = std::move(source);
  }

  // Before the descriptor is closed, so a reused number never meets stale state.
  void forget(int fd) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    sources_.erase(fd);
  }

  void dispatch(int fd, std::uint32_t events) {
    auto found = sources_.find(fd);
    if (found == sources_.end()) return;  // closed earlier in this batch
    Source source = found->second;
    switch (source.kind) {
      case SourceKind::kListener: return acceptClients();
      case SourceKind::kClient: return serveClient(fd, events);
      case SourceKind::kStdout: return pumpPipe(source.containerId, CriLogWriter::Stream::kStdout);
      case SourceKind::kStderr: return pumpPipe(source.containerId, CriLogWriter::Stream::kStderr);
      case SourceKind::kPidfd: return finishContainer(source.containerId);
    }
  }

  // --- agents ---------------------------------------------------------------

  void acceptClients() {
    for (;;) {
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      servedAClient_ = true;
      auto client = std::make_unique<Client>();
      client->socket.reset(fd);
      add(fd, EPOLLIN, Source{SourceKind::kClient, {}});
      clients_[fd] = std::move(client);
    }
  }

  void serveClient(int fd, std::uint32_t events) {
    Client& client = *clients_.at(fd);
    if (events & EPOLLOUT) flush(fd, client);
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buffer[16 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return dropClient(fd);
      client.reader.append(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    while (auto message = client.reader.next()) {
      if (message->kind == ShimMessageKind::kStart) startContainer(fd, message->sequence, message->payload);
      if (!clients_.count(fd)) return;  // dropped while answering
    }
    if (client.reader.failed()) dropClient(fd);
  }

  void send(int fd, const ShimMessage& message) {
    auto it = clients_.find(fd);
    if (it == clients_.end()) return;
    it->second->outbox += encodeShimMessage(message);
    flush(fd, *it->second);
  }

  void flush(int fd, Client& client) {
    while (!client.outbox.empty()) {
      ssize_t n = ::send(fd, client.outbox.data(), client.outbox.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return dropClient(fd);
      client.outbox.erase(0, static_cast<std::size_t>(n));
    }
    bool wantsWrite = !client.outbox.empty();
    if (wantsWrite == client.waitingToWrite) return;
    client.waitingToWrite = wantsWrite;
    epoll_event event{};
    event.events = EPOLLIN | (wantsWrite ? EPOLLOUT : 0u);
    event.data.fd = fd;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event);
  }

  void dropClient(int fd) {
    forget(fd);
    clients_.erase(fd);  // closes the socket
  }

  // --- containers -------------------------------------------------------------

  void startContainer(int clientFd, std::uint64_t sequence, const std::string& specText) {
    heapToTrim_ = true;
    ShimReport report = launch(specText);
    send(clientFd, ShimMessage{ShimMessageKind::kReport, sequence, encodeShimReport(report)});
  }

  ShimReport launch(const std::string& specText) {
    ShimReport report;
    report.shimPid = ::getpid();
    report.shimStartTime = ownStartTime_;
    auto spec = decodeShimSpec(specText);
    if (!spec) {
      report.error = spec.error().describe();
      return report;
    }
    if (containers_.count(spec->id)) {
      report.error = "a container with this id is already running";
      return report;
    }
    auto container = std::make_unique<HostedContainer>();
    container->log = std::make_unique<CriLogWriter>(spec->logPath, spec->logMaxBytes, spec->logMaxFiles);
    if (auto opened = container->log->open(); !opened) {
      report.error = opened.error().describe();
      return report;
    }
    container->oomKillsBefore = cgroupOomKillCount(spec->cgroupPath);
    auto spawned = spawnContainer(*spec);
    if (!spawned) {
      report.error = spawned.error().describe();
      return report;
    }
    container->id = spec->id;
    container->recordDir = spec->recordDir;
    container->cgroupPath = spec->cgroupPath;
    container->syncExitRecord = spec->syncExitRecord;
    container->process = std::move(*spawned);
    report.started = true;
    report.pid = container->process.pid;
    report.pidStartTime = container->process.startTime;
    report.startedAtUnixNano = container->process.startedAtUnixNano;
    report.cgroupPath = spec->cgroupPath;
    report.securityApplied = true;
    report.warnings = std::move(container->process.warnings);

    SpawnedContainer& process = container->process;
    setNonBlocking(process.stdoutRead.get());
    setNonBlocking(process.stderrRead.get());
    add(process.stdoutRead.get(), EPOLLIN, Source{SourceKind::kStdout, spec->id});
    add(process.stderrRead.get(), EPOLLIN, Source{SourceKind::kStderr, spec->id});
    add(process.pidfd.get(), EPOLLIN, Source{SourceKind::kPidfd, spec->id});
    containers_[spec->id] = std::move(container);
    return report;
  }

  UniqueFd& pipeOf(HostedContainer& container, CriLogWriter::Stream stream) {
    return stream == CriLogWriter::Stream::kStdout ? container.process.stdoutRead : container.process.stderrRead;
  }

  void pumpPipe(const std::string& id, CriLogWriter::Stream stream) {
    auto it = containers_.find(id);
    if (it == containers_.end()) return;
    HostedContainer& container = *it->second;
    UniqueFd& pipe = pipeOf(container, stream);
    if (!pipe.valid()) return;
    char buffer[kReadChunk];
    for (;;) {
      ssize_t n = ::read(pipe.get(), buffer, sizeof buffer);
      if (n > 0) {
        container.log->append(stream, std::string_view(buffer, static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      // End of file: every writer is gone.
      container.log->finish(stream);
      forget(pipe.get());
      pipe.reset();
      return;
    }
  }

  ExitRecord reap(const HostedContainer& container) {
    ExitRecord record;
    record.id = container.id;
    record.pid = container.process.pid;
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(container.process.pid), &info, WEXITED) != 0 && errno == EINTR) {
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

  // The container's main process exited (its pidfd is readable).
  void finishContainer(const std::string& id) {
    auto it = containers_.find(id);
    if (it == containers_.end()) return;
    heapToTrim_ = true;
    HostedContainer& container = *it->second;
    ExitRecord record = reap(container);
    // Nothing of the container may outlive its main process (Kubernetes
    // semantics): its group and cgroup are killed. The cgroup only when
    // something is left in it, so a daemon of one process keeps a cgroup its
    // next start can be born into (cgroupHasProcesses says why).
    ::kill(-container.process.pid, SIGKILL);
    if (cgroupHasProcesses(container.cgroupPath)) killCgroup(container.cgroupPath);
    record.oomKilled =
        cgroupOomKillCount(container.cgroupPath) > container.oomKillsBefore && record.signal == SIGKILL;
    // Collect what is still buffered without waiting for writers that escaped
    // the group.
    for (auto stream : {CriLogWriter::Stream::kStdout, CriLogWriter::Stream::kStderr}) {
      pumpPipe(id, stream);
      UniqueFd& pipe = pipeOf(container, stream);
      if (!pipe.valid()) continue;
      container.log->finish(stream);
      forget(pipe.get());
      pipe.reset();
    }
    forget(container.process.pidfd.get());
    // If this write fails the agent reports the exit as ContainerStatusUnknown.
    (void)base::writeFileAtomically(
        exitRecordPath(container.recordDir, id), encodeExitRecord(record), 0600,
        container.syncExitRecord ? base::FileDurability::kSynced : base::FileDurability::kRenameOnly);
    containers_.erase(it);
    // Copy the client list: a failed send drops a client from clients_.
    std::vector<int> clientFds;
    for (const auto& [fd, client] : clients_) clientFds.push_back(fd);
    for (int fd : clientFds) send(fd, ShimMessage{ShimMessageKind::kExited, 0, id});
  }

  UniqueFd epoll_;
  UniqueFd listener_;
  std::uint64_t ownStartTime_ = ownStartTime();
  bool servedAClient_ = false;
  bool heapToTrim_ = false;
  std::map<int, Source> sources_;
  std::map<int, std::unique_ptr<Client>> clients_;
  std::map<std::string, std::unique_ptr<HostedContainer>> containers_;
};

void signalReady(int& readyFd) {
  if (readyFd < 0) return;
  (void)!::write(readyFd, "ready\n", 6);
  ::close(readyFd);
  readyFd = -1;
}

// The listening socket, or an invalid fd when another host already serves it
// (its lock is held) or the socket cannot be made.
UniqueFd listenOn(const std::string& socketPath, bool& anotherHostServes) {
  anotherHostServes = false;
  sockaddr_un address{};
  if (socketPath.size() >= sizeof address.sun_path) return UniqueFd();
  // Kept open (and locked) for the host's whole life; never closed on purpose.
  int lock = ::open((socketPath + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) return UniqueFd();
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock);
    anotherHostServes = errno == EWOULDBLOCK;
    return UniqueFd();
  }
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return UniqueFd();
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size() + 1);
  ::unlink(socketPath.c_str());  // a dead host's socket; we hold the lock
  mode_t previous = ::umask(0077);  // only root (the agent's user) may start processes through it
  int bound = ::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(previous);
  if (bound != 0 || ::listen(listener.get(), 64) != 0) return UniqueFd();
  return listener;
}

}  // namespace

int runShimHost(const ShimHostOptions& options) {
  int readyFd = options.readyFd;
  bool anotherHostServes = false;
  UniqueFd listener = listenOn(options.socketPath, anotherHostServes);
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  signalReady(readyFd);
  if (!listener.valid()) return anotherHostServes ? 0 : 1;
  if (!epoll.valid()) return 1;
  ShimHost host(std::move(epoll), std::move(listener));
  return host.run();
}

}  // namespace daemonlet::runtime::process
