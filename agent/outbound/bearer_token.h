#pragma once
// A bearer token read from a file and re-read when the file changes. Tokens are
// rotated in place (by hand) or by swapping a symlink (kubelet-style projected
// tokens), so the file's identity (inode, size, mtime) is checked on every use;
// stat() follows symlinks, which catches the swap.
#include <cstdint>
#include <mutex>
#include <string>

#include "agent/base/result.h"

namespace daemonlet::outbound {

class BearerTokenFile {
 public:
  explicit BearerTokenFile(std::string path) : path_(std::move(path)) {}

  // The current token (surrounding whitespace trimmed). Fails (kInvalidArgument
  // naming the file) when the file is unreadable or empty. Thread-safe.
  base::Result<std::string> current();

 private:
  struct Identity {
    std::uint64_t inode = 0;
    std::int64_t size = -1;
    std::int64_t mtimeNanos = 0;
    bool operator==(const Identity&) const = default;
  };

  const std::string path_;
  std::mutex mutex_;
  Identity identity_;
  std::string token_;
};

}  // namespace daemonlet::outbound
