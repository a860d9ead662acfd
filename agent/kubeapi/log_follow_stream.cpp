#include "agent/kubeapi/log_follow_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace daemonlet::kubeapi {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

}  // namespace

LogFollowStream::LogFollowStream(std::string path, LogOptions options, std::function<bool()> stillRunning,
                                 StreamSlots::Slot slot)
    : path_(std::move(path)),
      options_(std::move(options)),
      stillRunning_(std::move(stillRunning)),
      slot_(std::move(slot)),
      parser_(options_) {
  // The current file is opened before the rotated ones are read, so a rotation
  // in between shows as a new inode later instead of losing lines.
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat info {};
  if (fd_ >= 0 && ::fstat(fd_, &info) == 0) inode_ = info.st_ino;
  auto files = logFilesOf(path_);
  if (!files.empty() && files.back() == path_) files.pop_back();
  std::vector<std::string> lines;
  char buffer[kReadChunk];
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) parser_.feed(std::string_view(buffer, in.gcount()), lines);
  }
  readNew(lines);
  first_ = assembleLines(std::move(lines), options_);
}

LogFollowStream::~LogFollowStream() {
  if (fd_ >= 0) ::close(fd_);
}

void LogFollowStream::readNew(std::vector<std::string>& lines) {
  if (fd_ < 0) return;
  char buffer[kReadChunk];
  for (;;) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return;
    parser_.feed(std::string_view(buffer, static_cast<std::size_t>(n)), lines);
  }
}

bool LogFollowStream::reopenIfRotated() {
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0 || (fd_ >= 0 && info.st_ino == inode_)) return false;
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  inode_ = info.st_ino;
  return fd_ >= 0;
}

bool LogFollowStream::emit(std::vector<std::string>& lines, std::string& out) {
  for (auto& line : lines) {
    if (options_.limitBytes && sent_ + line.size() >= static_cast<std::size_t>(*options_.limitBytes)) {
      out += line.substr(0, static_cast<std::size_t>(*options_.limitBytes) - sent_);
      sent_ = static_cast<std::size_t>(*options_.limitBytes);
      return false;
    }
    out += line;
    sent_ += line.size();
  }
  lines.clear();
  return true;
}

bool LogFollowStream::pull(std::string& out, std::size_t budget, std::chrono::steady_clock::time_point) {
  (void)budget;  // a log grows by at most what the writer wrote in one interval
  if (!sentFirst_) {
    sentFirst_ = true;
    out += first_;
    sent_ = first_.size();
    first_.clear();
    if (options_.limitBytes && sent_ >= static_cast<std::size_t>(*options_.limitBytes)) return false;
  }
  // The running check comes first: lines written before the container ended are
  // all in the file by the time it reads as ended, and are read below.
  bool running = stillRunning_();
  std::vector<std::string> lines;
  readNew(lines);
  if (reopenIfRotated()) readNew(lines);
  if (!emit(lines, out)) return false;
  return running;
}

}  // namespace daemonlet::kubeapi
