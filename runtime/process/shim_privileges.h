#pragma once
// Who a container runs as and with which privileges: the user, groups,
// capabilities, no_new_privs and oom_score_adj of ShimSpec, applied in the
// (vfork) child just before exec, in this order:
//   oom_score_adj, drop from the bounding set, PR_SET_KEEPCAPS, setgroups,
//   setgid, setuid, capset, ambient capabilities, PR_SET_NO_NEW_PRIVS.
// The bounding set goes first, while we are still root with CAP_SETPCAP; keepcaps
// keeps the permitted set across setuid so capset and the ambient raise can
// still grant what a non-root user was given; no_new_privs comes last so
// nothing after it needs privileges.
//
// Everything that allocates or reads files happens in preparePrivileges, in the
// host: the child shares the host's memory until it execs.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/process/shim_protocol.h"

namespace daemonlet::runtime::process {

struct PreparedPrivileges {
  bool setOomScoreAdj = false;
  char oomScoreAdj[16] = {};
  bool setGroups = false;
  std::vector<gid_t> groups;
  bool setGid = false;
  gid_t gid = 0;
  bool setUid = false;
  uid_t uid = 0;
  bool manageCapabilities = false;
  bool dropBoundingSet = false;  // only with CAP_SETPCAP
  int lastCapability = 0;        // the kernel's (cap_last_cap)
  std::uint64_t keep = 0;        // bounding set, and permitted/effective within what we hold
  std::uint64_t permitted = 0;
  std::uint64_t ambient = 0;
  bool noNewPrivileges = false;
  int wantedOomScoreAdj = 0;
};

// Also says what cannot be applied as asked (capabilities the host does not
// hold, groups without CAP_SETGID); those become report warnings.
PreparedPrivileges preparePrivileges(const ShimSpec& spec, std::vector<std::string>& warnings);

// In the child: nullptr on success, else the step that failed (errno set).
// Async-signal-safe: system calls only.
const char* applyPrivileges(const PreparedPrivileges& prepared);

// After exec: a warning when the kernel kept a different oom_score_adj (lowering
// it needs CAP_SYS_RESOURCE; the child then keeps the higher, inherited value).
void checkOomScoreAdj(pid_t pid, const PreparedPrivileges& prepared, std::vector<std::string>& warnings);

}  // namespace daemonlet::runtime::process
