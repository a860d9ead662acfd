#pragma once
// What daemonlet asks systemd for when it runs under it: transient scopes in a
// slice of its own (daemonlet.slice), one per host pod and one for the shim
// host, so stopping, killing or restarting daemonlet.service never reaches a
// daemon (a unit's stop and `systemctl kill` act on its own cgroup only), and
// each pod's resource limits are unit properties, which systemd writes on
// cgroup v1, hybrid and v2 hosts alike. The kubelet's and runc's systemd cgroup
// drivers do the same (StartTransientUnit with PIDs, Slice, Delegate).
//
// Pure: building the property list needs no bus (tested in test/unit/systemd).
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace daemonlet::systemd {

inline constexpr const char* kDaemonletSlice = "daemonlet.slice";
inline constexpr const char* kShimScope = "daemonlet-shim.scope";

// How the host mounts cgroups; decides which of the synonymous limit
// properties systemd is given (as runc does): the v2 names on a unified host,
// the v1 ones otherwise (hybrid hosts have their controllers on v1).
enum class CgroupLayout { kUnified, kLegacy };

struct ScopeLimits {
  std::optional<std::int64_t> memoryMaxBytes;
  std::optional<std::int64_t> cpuQuotaMillis;  // 1000 = one CPU
};

struct ScopeRequest {
  std::string unitName;  // "daemonlet-pod-<uid>.scope"
  std::string description;
  std::string slice = kDaemonletSlice;
  std::vector<pid_t> pids;  // at least one: systemd refuses an empty scope
  // The scope's processes make cgroups below it (one per container).
  bool delegate = false;
  ScopeLimits limits;
};

// One D-Bus (sv) pair of StartTransientUnit's property array.
struct UnitProperty {
  using Value = std::variant<std::string, bool, std::uint64_t, std::vector<std::uint32_t>>;
  std::string name;
  Value value;
  bool operator==(const UnitProperty&) const = default;
};

std::vector<UnitProperty> scopeProperties(const ScopeRequest& request, CgroupLayout layout);

// "daemonlet-pod-<uid>.scope"; characters a unit name may not hold (anything
// but [A-Za-z0-9:_.-]) become \xNN, as systemd-escape writes them, so a name
// made from any uid is valid and the same uid always gives the same name.
std::string podScopeName(const std::string& podUid);

// The directory of `unit` in a slice under a cgroup mount ("<mount>/daemonlet.slice/<unit>").
std::string unitCgroupPath(const std::string& mount, const std::string& slice, const std::string& unit);

}  // namespace daemonlet::systemd
