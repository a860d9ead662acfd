#pragma once
// Who this node is: the facts read from the host (hostname, machine architecture),
// the well-known labels derived from them, and the core/v1 Node that placement
// decides against.
#include <string>
#include <string_view>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "config/agent_config.h"

namespace daemonlet::config {

inline constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";
inline constexpr std::string_view kLabelOs = "kubernetes.io/os";
inline constexpr std::string_view kLabelArch = "kubernetes.io/arch";
// Kubelet still sets the beta names next to the GA ones; old manifests select on them.
inline constexpr std::string_view kLabelBetaOs = "beta.kubernetes.io/os";
inline constexpr std::string_view kLabelBetaArch = "beta.kubernetes.io/arch";

// Read once per load, injectable so tests do not depend on the machine.
struct HostFacts {
  std::string hostname;  // gethostname(2)
  std::string machine;   // uname(2) machine: "x86_64", "aarch64", ...
};
base::Result<HostFacts> readHostFacts();

// Go's GOARCH name for a uname machine: x86_64 -> amd64, aarch64 -> arm64,
// armv7l -> arm, i686 -> 386, ppc64le, s390x, riscv64 unchanged. Unknown machines
// map to themselves.
std::string goArchFromMachine(std::string_view machine);

// The node name kubelet would take from the hostname: trimmed and lowercased.
std::string nodeNameFromHostname(std::string_view hostname);

// The labels the agent owns, for a node named `nodeName`.
model::StringMap wellKnownLabels(const std::string& nodeName, const HostFacts& host);
bool isWellKnownLabel(std::string_view key);

// The Node placement sees: name, the user's labels with the well-known labels laid
// over them, taints. `raw` holds the same as a core/v1 Node object.
model::Node nodeIdentity(const AgentConfig& config);

}  // namespace daemonlet::config
