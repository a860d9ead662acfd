#pragma once
// Which cgroup directory a process sits in, in every mounted hierarchy (the
// unified one and each cgroup v1 hierarchy), from /proc/<pid>/cgroup and
// /proc/self/mountinfo. A container joins the directories of its pod's scope
// anchor (pod_scopes.h) so it lands where systemd would have put it, on v1,
// hybrid and v2 hosts alike.
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

struct CgroupDirectory {
  // "" for the unified (v2) hierarchy, else the v1 line's controllers
  // ("memory", "cpu,cpuacct", "name=systemd").
  std::string hierarchy;
  std::string path;  // the directory under its mount point
};

// Pure: lines of /proc/<pid>/cgroup and of a mountinfo. Hierarchies not mounted
// here, or whose path lies outside the mounted root, are left out.
std::vector<CgroupDirectory> cgroupDirectoriesFromText(std::string_view procCgroup, std::string_view mountinfo);

base::Result<std::vector<CgroupDirectory>> cgroupDirectoriesOf(pid_t pid);

}  // namespace daemonlet::runtime::process
