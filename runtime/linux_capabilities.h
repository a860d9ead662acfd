#pragma once
// Linux capability names and numbers (capability.h, up to CAP_CHECKPOINT_RESTORE
// in Linux 5.9), and the set a container gets by default. One table for the
// agent (which checks and resolves securityContext.capabilities) and the shim
// (which applies the resolved set), so both agree on every name.
//
// Names are the Kubernetes spelling: without the "CAP_" prefix, matched
// case-insensitively as containerd does ("net_admin" == "NET_ADMIN"). "ALL" is
// not a capability; callers treat it on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daemonlet::runtime {

using CapabilitySet = std::uint64_t;  // bit n: capability number n

inline constexpr int kLastKnownCapability = 40;  // CAP_CHECKPOINT_RESTORE

// The number of a capability name ("NET_ADMIN", "net_admin"); nullopt for an
// unknown name, "ALL" and names with the "CAP_" prefix.
std::optional<int> capabilityNumber(std::string_view name);
// "NET_ADMIN" for 12; "CAP_<n>" for numbers past the table.
std::string capabilityName(int number);

inline constexpr CapabilitySet capabilityBit(int number) { return CapabilitySet{1} << number; }
// Every capability this table knows.
CapabilitySet allKnownCapabilities();

// What containerd gives a container that is not privileged (oci/spec.go,
// defaultUnixCaps): CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW,
// SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL,
// AUDIT_WRITE.
CapabilitySet containerdDefaultCapabilities();

// "CHOWN,KILL" style listing, for messages.
std::string describeCapabilities(CapabilitySet set);

}  // namespace daemonlet::runtime
