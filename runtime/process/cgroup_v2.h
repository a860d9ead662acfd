#pragma once
// cgroup v2 placement for host-process containers: <root>/<podUid>/<container>/,
// with memory.max and cpu.max from the container's limits. The agent creates the
// directories and writes the limits; the shim moves the container process in
// before exec, so no process of the container ever runs outside it.
//
// cgroup v1 (or a v2 tree we may not write, as in unprivileged tests): limits are
// NOT applied (the agent logs a warning), but containers are still placed in a
// tracking-only cgroup when one can be had (trackingCgroupRoot), so that
// processes escaping their group with setsid still end with the pod.
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

// Removes the pod's cgroups. Cgroups still holding processes stay, and the
// error names the first of them (the caller kills and retries).
base::Status removePodCgroups(const std::string& root, const std::string& podUid);

// Kills every process in the cgroup: cgroup.kill (cgroup v2, Linux 5.14+), else
// SIGKILL to each pid in cgroup.procs until it reads empty (a v1 tracking
// hierarchy). False when the cgroup is empty already or cannot be read.
bool killCgroup(const std::string& path);

// True when a process is in the cgroup (cgroup.procs lists one). A cgroup is
// killed only then: on this kernel a cgroup once cgroup.kill'ed kills every
// child later cloned into it (shim_container.cpp).
bool cgroupHasProcesses(const std::string& path);

// killCgroup for each container cgroup of the pod (and the pod's own).
void killPodCgroups(const std::string& root, const std::string& podUid);

// Where containers are placed when resource limits are off or unavailable, so
// every process of a pod is still tracked and ends with it (issue 9 M5): the
// unified hierarchy when one is mounted (/sys/fs/cgroup on v2 hosts,
// /sys/fs/cgroup/unified on hybrid ones), else a `name=daemonlet` v1 hierarchy
// of our own mounted at <runDir>/cgroup (needs root). Returns the directory to
// use as the cgroup root, or an error saying why there is none (then only
// process groups end a pod's processes).
base::Result<std::string> trackingCgroupRoot(const std::string& runDir);

// How many processes the kernel's OOM killer has killed in this cgroup so far (a
// cgroup outlives restarts, so callers compare before and after).
long long cgroupOomKillCount(const std::string& path);

}  // namespace daemonlet::runtime::process
