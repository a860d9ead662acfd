#include "runtime/linux_capabilities.h"

#include <array>
#include <cctype>

namespace daemonlet::runtime {
namespace {

// Index = capability number (linux/capability.h).
// clang-format off
constexpr std::array<std::string_view, kLastKnownCapability + 1> kNames = {
    "CHOWN",           "DAC_OVERRIDE",    "DAC_READ_SEARCH", "FOWNER",         "FSETID",
    "KILL",            "SETGID",          "SETUID",          "SETPCAP",        "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE", "NET_BROADCAST",  "NET_ADMIN",       "NET_RAW",        "IPC_LOCK",
    "IPC_OWNER",       "SYS_MODULE",      "SYS_RAWIO",       "SYS_CHROOT",     "SYS_PTRACE",
    "SYS_PACCT",       "SYS_ADMIN",       "SYS_BOOT",        "SYS_NICE",       "SYS_RESOURCE",
    "SYS_TIME",        "SYS_TTY_CONFIG",  "MKNOD",           "LEASE",          "AUDIT_WRITE",
    "AUDIT_CONTROL",   "SETFCAP",         "MAC_OVERRIDE",    "MAC_ADMIN",      "SYSLOG",
    "WAKE_ALARM",      "BLOCK_SUSPEND",   "AUDIT_READ",      "PERFMON",        "BPF",
    "CHECKPOINT_RESTORE"};
// clang-format on

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != static_cast<unsigned char>(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<int> capabilityNumber(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (equalsIgnoringCase(name, kNames[i])) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string capabilityName(int number) {
  if (number >= 0 && number <= kLastKnownCapability)
    return std::string(kNames[static_cast<std::size_t>(number)]);
  return "CAP_" + std::to_string(number);
}

CapabilitySet allKnownCapabilities() { return (capabilityBit(kLastKnownCapability) << 1) - 1; }

CapabilitySet containerdDefaultCapabilities() {
  CapabilitySet set = 0;
  for (std::string_view name :
       {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
        "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"}) {
    set |= capabilityBit(*capabilityNumber(name));
  }
  return set;
}

std::string describeCapabilities(CapabilitySet set) {
  std::string out;
  for (int n = 0; n < 64; ++n) {
    if (!(set & capabilityBit(n))) continue;
    if (!out.empty()) out += ",";
    out += capabilityName(n);
  }
  return out.empty() ? "none" : out;
}

}  // namespace daemonlet::runtime
