#include "runtime/process/shim_privileges.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>

#include "runtime/linux_capabilities.h"

namespace daemonlet::runtime::process {
namespace {

struct CapabilityState {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
};

CapabilityState ownCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  CapabilityState state;
  if (::syscall(SYS_capget, &header, data) != 0) return state;
  state.effective = data[0].effective | (std::uint64_t{data[1].effective} << 32);
  state.permitted = data[0].permitted | (std::uint64_t{data[1].permitted} << 32);
  return state;
}

int kernelLastCapability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = 0;
  if (in >> last && last > 0 && last < 64) return last;
  return kLastKnownCapability;
}

std::optional<int> readOomScoreAdj(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/oom_score_adj");
  int value = 0;
  if (!(in >> value)) return std::nullopt;  // already gone
  return value;
}

}  // namespace

PreparedPrivileges preparePrivileges(const ShimSpec& spec, std::vector<std::string>& warnings) {
  PreparedPrivileges p;
  const ShimSecurity& security = spec.security;
  const CapabilityState own = ownCapabilities();
  const bool canSetGroups = own.effective & capabilityBit(*capabilityNumber("SETGID"));

  if (security.oomScoreAdj) {
    p.setOomScoreAdj = true;
    p.wantedOomScoreAdj = *security.oomScoreAdj;
    std::snprintf(p.oomScoreAdj, sizeof p.oomScoreAdj, "%d", *security.oomScoreAdj);
  }
  if (security.groups && canSetGroups) {
    p.setGroups = true;
    for (std::int64_t group : *security.groups) p.groups.push_back(static_cast<gid_t>(group));
  } else if (security.groups) {
    warnings.push_back("supplementary groups not set: the shim host lacks CAP_SETGID");
  } else if (!security.groups && spec.gid && canSetGroups) {
    p.setGroups = true;  // what hosts did before the field: no groups of the host's user
  }
  p.setGid = spec.gid.has_value();
  p.gid = static_cast<gid_t>(spec.gid.value_or(0));
  p.setUid = spec.uid.has_value();
  p.uid = static_cast<uid_t>(spec.uid.value_or(0));

  if (!security.keepAllCapabilities) {
    p.manageCapabilities = true;
    p.lastCapability = kernelLastCapability();
    p.dropBoundingSet = own.effective & capabilityBit(*capabilityNumber("SETPCAP"));
    p.keep = security.capabilities;
    p.permitted = security.capabilities & own.permitted;
    // Ambient capabilities matter only to a non-root user: root gets its
    // bounding set at exec anyway.
    p.ambient = (p.setUid && p.uid != 0) ? security.ambient & p.permitted : 0;
    if (std::uint64_t missing = security.capabilities & ~own.permitted & security.ambient) {
      warnings.push_back("capabilities not granted, the shim host does not hold them: " +
                         describeCapabilities(missing));
    }
  }
  p.noNewPrivileges = security.noNewPrivileges;
  return p;
}

const char* applyPrivileges(const PreparedPrivileges& p) {
  if (p.setOomScoreAdj) {
    int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return "open /proc/self/oom_score_adj";
    std::size_t length = 0;
    while (p.oomScoreAdj[length] != '\0') ++length;
    ssize_t written = ::write(fd, p.oomScoreAdj, length);
    int error = errno;
    ::close(fd);
    // EACCES: lowering it needs CAP_SYS_RESOURCE; the inherited value is
    // higher, so the process is only more likely to be killed, never less.
    // checkOomScoreAdj reports it.
    if (written < 0 && error != EACCES) {
      errno = error;
      return "write oom_score_adj";
    }
  }
  if (p.manageCapabilities && p.dropBoundingSet) {
    for (int cap = 0; cap <= p.lastCapability; ++cap) {
      if (p.keep & (std::uint64_t{1} << cap)) continue;
      if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
        return "drop from capability bounding set";
    }
  }
  if (p.manageCapabilities && p.setUid && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return "keepcaps";
  if (p.setGroups && ::setgroups(p.groups.size(), p.groups.data()) != 0) return "setgroups";
  if (p.setGid && ::setgid(p.gid) != 0) return "setgid";
  if (p.setUid && ::setuid(p.uid) != 0) return "setuid";
  if (p.manageCapabilities) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    for (int half = 0; half < 2; ++half) {
      data[half].permitted = static_cast<std::uint32_t>(p.permitted >> (32 * half));
      data[half].effective = data[half].permitted;
      data[half].inheritable = static_cast<std::uint32_t>(p.ambient >> (32 * half));
    }
    if (::syscall(SYS_capset, &header, data) != 0) return "capset";
    for (int cap = 0; cap < 64; ++cap) {
      if (!(p.ambient & (std::uint64_t{1} << cap))) continue;
      if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return "raise ambient capability";
    }
  }
  if (p.noNewPrivileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "no_new_privs";
  return nullptr;
}

void checkOomScoreAdj(pid_t pid, const PreparedPrivileges& p, std::vector<std::string>& warnings) {
  if (!p.setOomScoreAdj) return;
  std::optional<int> actual = readOomScoreAdj(pid);
  if (!actual || *actual == p.wantedOomScoreAdj) return;
  warnings.push_back("oom_score_adj is " + std::to_string(*actual) + ", not " +
                     std::to_string(p.wantedOomScoreAdj) + " (lowering it needs CAP_SYS_RESOURCE)");
}

}  // namespace daemonlet::runtime::process
