#pragma once
// cgroup v2 placement for host-process containers: <root>/<podUid>/<container>/,
// with memory.max and cpu.max from the container's limits. The agent creates the
// directories and writes the limits; the shim moves the container process in
// before exec, so no process of the container ever runs outside it.
//
// cgroup v1 (or a v2 tree we may not write, as in unprivileged tests): containers
// run without cgroup placement and their limits are NOT applied; the agent logs a
// warning. Membership checks during adoption then rely on pid + start time alone.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

// True when `path` is on a cgroup2 file system.
bool isCgroup2(const std::string& path);

// "/sys/fs/cgroup/daemonlet" when /sys/fs/cgroup is the unified (v2) hierarchy,
// otherwise empty (no placement).
std::string defaultCgroupRoot();

// Creates the container's cgroup and writes its limits. Problems that leave the
// container runnable (a controller not enabled, a knob missing) come back as
// warnings; an error means the directory itself could not be made.
base::Result<std::string> prepareContainerCgroup(const std::string& root, const std::string& podUid,
                                                 const std::string& containerName,
                                                 std::optional<std::int64_t> memoryMaxBytes,
                                                 std::optional<std::int64_t> cpuMaxMillis,
                                                 std::vector<std::string>& warnings);

// Removes the pod's (empty) cgroups; cgroups still holding processes stay.
void removePodCgroups(const std::string& root, const std::string& podUid);

// Kills every process in the cgroup (cgroup.kill, Linux 5.14+); false if unsupported.
bool killCgroup(const std::string& path);

// How many processes the kernel's OOM killer has killed in this cgroup so far (a
// cgroup outlives restarts, so callers compare before and after).
long long cgroupOomKillCount(const std::string& path);

}  // namespace daemonlet::runtime::process
