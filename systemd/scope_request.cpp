#include "systemd/scope_request.h"

#include <cstdio>

namespace daemonlet::systemd {
namespace {

constexpr std::uint64_t kMicrosPerSecond = 1'000'000;
// cpu.shares for one CPU under cgroup v1, and its cgroup v2 weight (the
// kubelet's conversion: shares = millis * 1024 / 1000, weight from shares).
constexpr std::uint64_t kSharesPerCpu = 1024;
constexpr std::uint64_t kMinShares = 2;
constexpr std::uint64_t kMaxShares = 262'144;

std::uint64_t sharesFor(std::int64_t millis) {
  std::uint64_t shares = static_cast<std::uint64_t>(millis) * kSharesPerCpu / 1000;
  return std::min(std::max(shares, kMinShares), kMaxShares);
}

// The kubelet's (and runc's) shares → weight mapping: [2, 262144] → [1, 10000].
std::uint64_t weightFor(std::uint64_t shares) { return 1 + ((shares - 2) * 9999) / 262142; }

}  // namespace

std::vector<UnitProperty> scopeProperties(const ScopeRequest& request, CgroupLayout layout) {
  std::vector<UnitProperty> properties;
  properties.push_back({"Description", request.description});
  properties.push_back({"Slice", request.slice});
  std::vector<std::uint32_t> pids;
  for (pid_t pid : request.pids) pids.push_back(static_cast<std::uint32_t>(pid));
  properties.push_back({"PIDs", pids});
  if (request.delegate) properties.push_back({"Delegate", true});
  // Gone from systemd's memory once its processes are, failed or not: a pod
  // scope is made again at the pod's next start.
  properties.push_back({"CollectMode", std::string("inactive-or-failed")});
  // Accounting on, so each controller is realised for the scope on v1 and v2.
  properties.push_back({"MemoryAccounting", true});
  properties.push_back({"CPUAccounting", true});
  properties.push_back({"TasksAccounting", true});
  const ScopeLimits& limits = request.limits;
  if (limits.memoryMaxBytes && *limits.memoryMaxBytes > 0) {
    properties.push_back({layout == CgroupLayout::kUnified ? "MemoryMax" : "MemoryLimit",
                          static_cast<std::uint64_t>(*limits.memoryMaxBytes)});
  }
  if (limits.cpuQuotaMillis && *limits.cpuQuotaMillis > 0) {
    // CPUQuota=150% on the command line; on the bus, microseconds of CPU time per second.
    properties.push_back(
        {"CPUQuotaPerSecUSec", static_cast<std::uint64_t>(*limits.cpuQuotaMillis) * kMicrosPerSecond / 1000});
    // The share under contention follows the same amount, as the kubelet sets
    // it from the request (host pods get their limit as the request).
    std::uint64_t shares = sharesFor(*limits.cpuQuotaMillis);
    if (layout == CgroupLayout::kUnified) {
      properties.push_back({"CPUWeight", weightFor(shares)});
    } else {
      properties.push_back({"CPUShares", shares});
    }
  }
  return properties;
}

std::string podScopeName(const std::string& podUid) {
  std::string name = "daemonlet-pod-";
  for (unsigned char c : podUid) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
                 c == '_' || c == '.' || c == '-';
    if (plain) {
      name += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      name += escaped;
    }
  }
  return name + ".scope";
}

std::string unitCgroupPath(const std::string& mount, const std::string& slice, const std::string& unit) {
  return mount + "/" + slice + "/" + unit;
}

}  // namespace daemonlet::systemd
