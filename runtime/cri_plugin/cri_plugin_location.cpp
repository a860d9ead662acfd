#include "runtime/cri_plugin/cri_plugin_location.h"

#include <unistd.h>

#include <filesystem>

#include "runtime/cri_plugin/cri_plugin_abi.h"

namespace daemonlet::runtime::cri_plugin {

namespace fs = std::filesystem;

namespace {

std::string canonicalOr(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path.string() : canonical.string();
}

}  // namespace

std::string criPluginPath() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path dir = ec ? fs::path(".") : self.parent_path();
  const fs::path installed = dir / "../lib/daemonlet" / kModuleFileName;
  for (const fs::path& candidate : {dir / kModuleFileName, installed}) {
    if (::access(candidate.c_str(), R_OK) == 0) return canonicalOr(candidate);
  }
  return canonicalOr(installed);
}

}  // namespace daemonlet::runtime::cri_plugin
