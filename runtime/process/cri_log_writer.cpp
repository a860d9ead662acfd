#include "runtime/process/cri_log_writer.h"

#include "agent/base/rotated_logs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

namespace daemonlet::runtime::process {
namespace {

constexpr const char* kStreamNames[] = {"stdout", "stderr"};


}  // namespace

std::int64_t wallClockUnixNano() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::string formatRfc3339Nano(std::int64_t unixNano) {
  time_t seconds = static_cast<time_t>(unixNano / 1'000'000'000);
  long nanos = static_cast<long>(unixNano % 1'000'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                        utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  std::string out(text, static_cast<size_t>(n));
  if (nanos != 0) {
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%09ld", nanos);
    std::string f(fraction);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

CriLogWriter::CriLogWriter(std::string path, std::int64_t maxBytes, int maxFiles)
    : path_(std::move(path)), maxBytes_(maxBytes), maxFiles_(std::max(maxFiles, 2)) {}

CriLogWriter::~CriLogWriter() {
  flushBatch();
  if (fd_ >= 0) ::close(fd_);
}

base::Status CriLogWriter::open() {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("open log: ") + std::strerror(errno), path_);
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
  return base::Ok{};
}

void CriLogWriter::append(Stream stream, std::string_view bytes) {
  std::string& pending = pending_[static_cast<int>(stream)];
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      pending.append(bytes);
      bytes = {};
    } else {
      pending.append(bytes.substr(0, newline));
      bytes.remove_prefix(newline + 1);
    }
    // Long lines leave in kMaxLineBytes pieces marked partial.
    while (pending.size() > kMaxLineBytes) {
      addEntry(stream, true, std::string_view(pending).substr(0, kMaxLineBytes));
      pending.erase(0, kMaxLineBytes);
    }
    if (newline != std::string_view::npos) {
      addEntry(stream, false, pending);
      pending.clear();
    }
  }
  flushBatch();
}

void CriLogWriter::finish(Stream stream) {
  std::string& pending = pending_[static_cast<int>(stream)];
  if (!pending.empty()) addEntry(stream, true, pending);
  pending.clear();
  flushBatch();
}

void CriLogWriter::addEntry(Stream stream, bool partial, std::string_view content) {
  std::string entry = formatRfc3339Nano(wallClockUnixNano());
  entry += ' ';
  entry += kStreamNames[static_cast<int>(stream)];
  entry += partial ? " P " : " F ";
  entry.append(content);
  entry += '\n';
  auto entrySize = static_cast<std::int64_t>(entry.size());
  if (maxBytes_ > 0 && size_ + static_cast<std::int64_t>(batch_.size()) + entrySize > maxBytes_ &&
      size_ + static_cast<std::int64_t>(batch_.size()) > 0) {
    flushBatch();
    rotate();
  }
  batch_ += entry;
}

void CriLogWriter::flushBatch() {
  if (batch_.empty() || fd_ < 0) {
    batch_.clear();
    return;
  }
  size_t done = 0;
  while (done < batch_.size()) {
    ssize_t n = ::write(fd_, batch_.data() + done, batch_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // disk full or gone: the lines are lost, the container goes on
    done += static_cast<size_t>(n);
  }
  size_ += static_cast<std::int64_t>(done);
  batch_.clear();
}

void CriLogWriter::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const std::string rotated = base::rotatedLogPath(path_, wallClockUnixNano());
  ::rename(path_.c_str(), rotated.c_str());
  // Keep maxFiles_-1 rotated files beside the current one.
  base::removeOldRotatedLogs(path_, maxFiles_ - 1);
  size_ = 0;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}


}  // namespace daemonlet::runtime::process
