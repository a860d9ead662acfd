#include "agent/base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

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
  std::filesystem::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  // The mode is set at creation so a secret is never readable by others, even briefly.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ioError("cannot create", temp);
  if (!writeAll(fd, content) || ::fsync(fd) != 0) {
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
  // Without the directory fsync the rename itself may be lost on power failure.
  std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
  return Ok{};
}

}  // namespace daemonlet::base
