#include "runtime/process/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/process/unique_fd.h"

namespace daemonlet::runtime::process {
namespace {

base::Error ioError(const std::string& what, const std::string& path) {
  return base::makeError(base::ErrorCode::kIo, what + ": " + std::strerror(errno), path);
}

bool writeAll(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

base::Result<std::string> readWholeFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    auto code = errno == ENOENT || errno == ESRCH ? base::ErrorCode::kNotFound : base::ErrorCode::kIo;
    return base::makeError(code, std::string("open: ") + std::strerror(errno), path);
  }
  std::string content;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto code = errno == ESRCH ? base::ErrorCode::kNotFound : base::ErrorCode::kIo;
      return base::makeError(code, std::string("read: ") + std::strerror(errno), path);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

base::Status writeExistingFile(const std::string& path, const std::string& content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ioError("open", path);
  if (!writeAll(fd.get(), content)) return ioError("write", path);
  return base::Ok{};
}

bool fileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace daemonlet::runtime::process
