#pragma once
// What a private containerd can leave on the host after it stops: shims and the
// containers under them (they outlive containerd by design), mounts (overlay
// rootfs, sandbox /dev/shm, network namespaces under its state dir) and cgroup
// parent directories (containerd removes a container's cgroup, not its parents).
// The fixtures find each by what is unique to one instance (its socket path, its
// directory, its cgroup parent), so parallel test binaries never touch each
// other's, nor a system containerd's.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace daemonlet::testing {

// Alive and not a zombie (a killed container stays a zombie until its reaper,
// here possibly a slow PID 1, gets to it).
bool processAlive(int pid);
// Live processes (not zombies) whose command line contains `needle`.
std::vector<int> processesWithCommandLine(const std::string& needle);
// Every live process below `roots` in the process tree (the roots excluded).
std::vector<int> descendantsOf(const std::vector<int>& roots);
// SIGKILLs `pids` and waits until none is alive; false when some outlived `timeout`.
bool killAll(const std::vector<int>& pids, std::chrono::milliseconds timeout);

// Mount points at or below `dir`, deepest first.
std::vector<std::filesystem::path> mountsUnder(const std::filesystem::path& dir);
// Lazily unmounts everything at or below `dir`; returns what is still mounted.
std::vector<std::filesystem::path> unmountUnder(const std::filesystem::path& dir);

// The directories of cgroup `relative` (e.g. "/daemonlet-cri-ab12") in every
// hierarchy mounted under /sys/fs/cgroup that has it.
std::vector<std::filesystem::path> cgroupDirs(const std::string& relative);
// Kills every process in cgroup `relative` and below (all hierarchies), then removes
// the directories, deepest first; returns the directories that are still there.
std::vector<std::filesystem::path> removeCgroupTree(const std::string& relative);

// The cgroups (paths relative to a hierarchy's root, "/" left out) that `pids` are in.
std::vector<std::string> cgroupsOf(const std::vector<int>& pids);
// Removes each of `relatives` in every hierarchy once empty, and then its parents
// while they are empty, up to but not including the first path component (a
// shared parent such as "/k8s.io" or "/daemonlet" stays).
void removeEmptyCgroups(const std::vector<std::string>& relatives);

}  // namespace daemonlet::testing
