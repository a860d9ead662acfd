#include "runtime/process/cgroup_membership.h"

#include <sstream>

#include "runtime/process/file_io.h"

namespace daemonlet::runtime::process {
namespace {

std::vector<std::string> splitOn(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in{std::string(text)};
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

struct CgroupMount {
  std::string root;        // the directory of the hierarchy mounted (mountinfo field 4)
  std::string mountPoint;
  bool unified = false;
  std::vector<std::string> options;  // super options: controllers, name=...
};

std::vector<CgroupMount> cgroupMounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for (const std::string& line : splitOn(mountinfo, '\n')) {
    std::vector<std::string> fields = splitOn(line, ' ');
    std::size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash < 5 || dash + 1 >= fields.size()) continue;
    const std::string& type = fields[dash + 1];
    if (type != "cgroup" && type != "cgroup2") continue;
    CgroupMount mount;
    mount.root = fields[3];
    mount.mountPoint = fields[4];
    mount.unified = type == "cgroup2";
    if (dash + 3 < fields.size()) mount.options = splitOn(fields[dash + 3], ',');
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

bool hasOption(const CgroupMount& mount, const std::string& option) {
  for (const auto& o : mount.options) {
    if (o == option) return true;
  }
  return false;
}

bool matches(const CgroupMount& mount, const std::string& controllers) {
  if (controllers.empty()) return mount.unified;
  if (mount.unified) return false;
  for (const std::string& controller : splitOn(controllers, ',')) {
    if (!hasOption(mount, controller)) return false;
  }
  return true;
}

}  // namespace

std::vector<CgroupDirectory> cgroupDirectoriesFromText(std::string_view procCgroup, std::string_view mountinfo) {
  const std::vector<CgroupMount> mounts = cgroupMounts(mountinfo);
  std::vector<CgroupDirectory> directories;
  for (const std::string& line : splitOn(procCgroup, '\n')) {
    // "<id>:<controllers>:<path>"; the path may itself hold ':'.
    std::size_t first = line.find(':');
    std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    for (const CgroupMount& mount : mounts) {
      if (!matches(mount, controllers)) continue;
      std::string inside;
      if (mount.root == "/") {
        inside = path == "/" ? "" : path;
      } else if (path == mount.root) {
        inside = "";
      } else if (path.rfind(mount.root + "/", 0) == 0) {
        inside = path.substr(mount.root.size());
      } else {
        continue;
      }
      directories.push_back({controllers, mount.mountPoint + inside});
      break;
    }
  }
  return directories;
}

base::Result<std::vector<CgroupDirectory>> cgroupDirectoriesOf(pid_t pid) {
  auto cgroups = readWholeFile("/proc/" + std::to_string(pid) + "/cgroup");
  if (!cgroups) return cgroups.error();
  auto mountinfo = readWholeFile("/proc/self/mountinfo");
  if (!mountinfo) return mountinfo.error();
  return cgroupDirectoriesFromText(*cgroups, *mountinfo);
}

}  // namespace daemonlet::runtime::process
