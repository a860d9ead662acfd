#pragma once
// Turns a start request's identity and securityContext (runtime.h) into what
// the shim applies: the uid, the gid (runAsGroup, else the user's primary group
// from the passwd database, never root's group left over), the complete group
// list (the user's own groups plus supplementalGroups and fsGroup), and the
// capability masks.
#include <vector>

#include "runtime/process/shim_protocol.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::process {

// A uid without a passwd entry has no primary group: it gets the overflow
// group ("nogroup", 65534), which owns nothing, rather than gid 0.
inline constexpr std::int64_t kGroupOfUnknownUser = 65534;

// Fills spec.uid, spec.gid and spec.security.
void resolveShimIdentity(const ContainerStartRequest& request, ShimSpec& spec);

}  // namespace daemonlet::runtime::process
