#pragma once
// The security part of a start request (ShimSpec::security), on the wire as
// the spec's "security" object. Everything is resolved by the agent (user and
// group lookup, capability names): the shim only applies numbers.
//
// Upgrades: a shim host older than this field ignores it and starts the
// container with the host's own capabilities and oom_score_adj. A host that
// applied it says so in its report (ShimReport::securityApplied), so the agent
// can tell and warn (process_runtime.cpp).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

struct ShimSecurity {
  std::optional<int> oomScoreAdj;  // -1000..1000; unset: inherited from the host
  // The complete supplementary group list; unset: inherited (or emptied when a
  // gid is set, as before this field existed).
  std::optional<std::vector<std::int64_t>> groups;
  // Keep every capability the host holds (privileged: true, or no request).
  bool keepAllCapabilities = true;
  std::uint64_t capabilities = 0;  // bounding, permitted and effective set otherwise
  std::uint64_t ambient = 0;       // raised for a non-root user
  bool noNewPrivileges = false;
};

nlohmann::ordered_json encodeShimSecurity(const ShimSecurity& security);
// Absent (null) means an agent that predates the field: the defaults.
base::Result<ShimSecurity> decodeShimSecurity(const nlohmann::ordered_json& json);

}  // namespace daemonlet::runtime::process
