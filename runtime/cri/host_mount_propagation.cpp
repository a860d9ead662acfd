#include "runtime/cri/host_mount_propagation.h"

#include <filesystem>
#include <optional>
#include <fstream>
#include <sstream>

#include "runtime/cri/invalid_field.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/raw_pod_fields.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescapeMountField(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string octal = field.substr(i + 1, 3);
      if (octal.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(octal, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

// "/a/b" holds "/a/b" and "/a/b/c", not "/a/bc"; "/" holds everything.
bool holdsPath(const std::string& mountPoint, const std::string& path) {
  if (path.compare(0, mountPoint.size(), mountPoint) != 0) return false;
  return mountPoint == "/" || path.size() == mountPoint.size() || path[mountPoint.size()] == '/';
}

}  // namespace

std::optional<HostMount> mountHolding(std::string_view mountinfo, const std::string& path) {
  std::optional<HostMount> best;
  std::istringstream lines{std::string(mountinfo)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mountPoint, options;
    if (!(fields >> id >> parent >> device >> root >> mountPoint >> options)) continue;
    HostMount mount{unescapeMountField(mountPoint)};
    for (std::string optional; fields >> optional && optional != "-";) {
      if (optional.rfind("shared:", 0) == 0) mount.shared = true;
      if (optional.rfind("master:", 0) == 0) mount.slave = true;
    }
    if (!holdsPath(mount.mountPoint, path)) continue;
    // Longer wins; an equal one later in the file is mounted over the earlier.
    if (!best || mount.mountPoint.size() >= best->mountPoint.size()) best = std::move(mount);
  }
  return best;
}

base::Status checkHostPropagation(const model::PodSpec& spec, const model::Container& container,
                                  const std::vector<v1::Mount>& mounts, std::string_view mountinfo) {
  if (mountinfo.empty()) return base::Ok{};
  const std::string base = containerFieldOf(spec, container);
  for (std::size_t i = 0; i < mounts.size() && i < container.volumeMounts.size(); ++i) {
    const v1::MountPropagation wanted = mounts[i].propagation();
    if (wanted == v1::PROPAGATION_PRIVATE) continue;
    std::error_code ec;
    const std::string path = std::filesystem::weakly_canonical(mounts[i].host_path(), ec).string();
    const auto host = mountHolding(mountinfo, ec ? mounts[i].host_path() : path);
    if (!host) continue;
    const bool bidirectional = wanted == v1::PROPAGATION_BIDIRECTIONAL;
    if (host->shared || (!bidirectional && host->slave)) continue;
    const std::string field = base + ".volumeMounts[" + std::to_string(i) + "].mountPropagation";
    return invalidField(field, std::string(bidirectional ? "Bidirectional" : "HostToContainer") +
                                   " propagation needs the host mount " + host->mountPoint + " (holding " +
                                   mounts[i].host_path() + ") to be " +
                                   (bidirectional ? "shared" : "shared or a slave") + ", and it is " +
                                   (host->slave ? "a slave" : "private") + " (make it shared with `mount --make-rshared " +
                                   host->mountPoint + "`, as systemd does for / at boot)");
  }
  return base::Ok{};
}

std::string readHostMountInfo() {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace daemonlet::runtime::cri
