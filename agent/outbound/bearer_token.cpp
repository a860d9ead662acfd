#include "agent/outbound/bearer_token.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace daemonlet::outbound {

base::Result<std::string> BearerTokenFile::current() {
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           std::string("cannot read bearer token file: ") + std::strerror(errno), path_);
  }
  Identity now{static_cast<std::uint64_t>(info.st_ino), static_cast<std::int64_t>(info.st_size),
               static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};

  std::lock_guard lock(mutex_);
  if (now == identity_ && !token_.empty()) return token_;

  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "cannot open bearer token file", path_);
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  const char* space = " \t\r\n";
  auto first = token.find_first_not_of(space);
  if (first == std::string::npos) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "bearer token file is empty", path_);
  }
  token = token.substr(first, token.find_last_not_of(space) - first + 1);
  if (token.find_first_of("\r\n") != std::string::npos) {
    // A newline inside would let the file inject extra request headers.
    return base::makeError(base::ErrorCode::kInvalidArgument, "bearer token file holds more than one line",
                           path_);
  }
  identity_ = now;
  token_ = std::move(token);
  return token_;
}

}  // namespace daemonlet::outbound
