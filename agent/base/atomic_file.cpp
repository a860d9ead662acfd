#include "agent/base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace daemonlet::base {
namespace {

Error ioError(const std::string& what, const std::filesystem::path& path) {
  return makeError(ErrorCode::kIo, what + ": " + std::strerror(errno), path.string());
}

bool writeAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Status writeFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  return writeFileAtomically(path, content, mode, FileDurability::kSynced);
}

Status writeFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned mode,
                           FileDurability durability) {
  const bool sync = durability == FileDurability::kSynced;
  std::filesystem::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  // The mode is set at creation so a secret is never readable by others, even briefly.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ioError("cannot create", temp);
  if (!writeAll(fd, content) || (sync && ::fsync(fd) != 0)) {
    Error error = ioError("cannot write", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error error = ioError("cannot rename into place", path);
    ::unlink(temp.c_str());
    return error;
  }
  if (!sync) return Ok{};
  // Without the directory fsync the rename itself may be lost on power failure.
  std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  // A failure is reported: the new content is in place, but the caller was
  // promised durability (the process runtime kills a container whose record
  // may not survive).
  int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd < 0) return ioError("cannot open the directory to fsync it", dir);
  const bool synced = ::fsync(dirFd) == 0;
  Error error = synced ? Error{} : ioError("cannot fsync the directory", dir);
  ::close(dirFd);
  if (!synced) return error;
  return Ok{};
}

DeferredSync::DeferredSync(std::filesystem::path directory, std::chrono::milliseconds quiet,
                           std::chrono::milliseconds maxDelay, std::chrono::milliseconds idleExit)
    : directory_(std::move(directory)), quiet_(quiet), maxDelay_(maxDelay), idleExit_(idleExit) {}

DeferredSync::~DeferredSync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeferredSync::request() {
  {
    std::lock_guard lock(mutex_);
    ++requested_;
    if (!running_) {
      // A thread that ends clears running_ under this lock and releases it on
      // its way out, before we could take it: joining here never waits on us.
      if (thread_.joinable()) thread_.join();
      running_ = true;
      thread_ = std::thread([this] { run(); });
    }
  }
  wake_.notify_all();
}

void DeferredSync::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = requested_;
  if (done_ >= target || !running_) return;
  hurry_ = true;  // skip the quiet period
  wake_.notify_all();
  synced_.wait(lock, [&] { return done_ >= target; });
}

void DeferredSync::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Nothing pending: wait a little for more, then end (no idle wake-ups).
    bool asked = wake_.wait_for(lock, idleExit_, [&] { return stopping_ || requested_ > done_; });
    if (requested_ == done_ && (stopping_ || !asked)) {
      running_ = false;
      return;
    }
    // Wait for a quiet spell, bounded by maxDelay_ from the first request.
    const auto deadline = std::chrono::steady_clock::now() + maxDelay_;
    for (;;) {
      const std::uint64_t seen = requested_;
      auto until = std::min(deadline, std::chrono::steady_clock::now() + quiet_);
      wake_.wait_until(lock, until, [&] { return stopping_ || hurry_ || requested_ != seen; });
      if (stopping_ || hurry_ || requested_ == seen || std::chrono::steady_clock::now() >= deadline) break;
    }
    const std::uint64_t covering = requested_;
    hurry_ = false;
    lock.unlock();
    syncNow();
    lock.lock();
    done_ = covering;
    synced_.notify_all();
  }
}

void DeferredSync::syncNow() {
  int fd = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // nothing written there yet, or removed: nothing to sync
  ::syncfs(fd);
  ::close(fd);
}

}  // namespace daemonlet::base
