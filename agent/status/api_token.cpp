#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "agent/base/atomic_file.h"
#include "agent/status/http_api.h"

namespace daemonlet::status {

base::Result<std::string> writeApiToken(const std::filesystem::path& path) {
  std::array<unsigned char, 32> random{};
  int urandom = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  bool readOk = urandom >= 0 && ::read(urandom, random.data(), random.size()) == static_cast<ssize_t>(random.size());
  if (urandom >= 0) ::close(urandom);
  if (!readOk) return base::makeError(base::ErrorCode::kIo, "cannot read /dev/urandom", path.string());

  std::string token;
  for (unsigned char byte : random) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", byte);
    token += hex;
  }
  // A new token each start, in the run directory (tmpfs on a real node): a
  // power loss takes the agent that uses it too, so it is never synced.
  auto written = base::writeFileAtomically(path, token + "\n", 0600, base::FileDurability::kRenameOnly);
  if (!written) return written.error();
  return token;
}

}  // namespace daemonlet::status
