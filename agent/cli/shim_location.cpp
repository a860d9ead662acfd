#include "agent/cli/shim_location.h"

#include <unistd.h>

#include <filesystem>

namespace daemonlet::cli {
namespace {

namespace fs = std::filesystem;

std::string selfExecutable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("daemonlet") : self.string();
}

}  // namespace

std::vector<std::string> shimCommand() {
  fs::path self = selfExecutable();
  for (const fs::path& candidate :
       {self.parent_path() / "daemonlet-shim", self.parent_path() / "../lib/daemonlet/daemonlet-shim"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return {fs::weakly_canonical(candidate).string()};
  }
  return {self.string(), "shim"};
}

}  // namespace daemonlet::cli
