#include "runtime/process/shim_security_request.h"

#include <unistd.h>

#include <algorithm>

#include "runtime/process/user_database.h"

namespace daemonlet::runtime::process {
namespace {

// The user's own groups (getgrouplist, primary first), the gid the process
// runs in, then supplementalGroups and fsGroup; each once.
std::vector<std::int64_t> groupList(const std::optional<UserEntry>& user, std::optional<std::int64_t> gid,
                                    const std::vector<std::int64_t>& supplemental) {
  std::vector<std::int64_t> all;
  if (gid) all.push_back(*gid);
  if (user) {
    for (gid_t group : groupsOfUser(*user)) all.push_back(group);
  }
  all.insert(all.end(), supplemental.begin(), supplemental.end());
  std::vector<std::int64_t> unique;
  for (std::int64_t group : all) {
    if (std::find(unique.begin(), unique.end(), group) == unique.end()) unique.push_back(group);
  }
  return unique;
}

}  // namespace

void resolveShimIdentity(const ContainerStartRequest& request, ShimSpec& spec) {
  const ContainerSecurity& wanted = request.security;
  spec.uid = request.runAsUser;
  spec.gid = request.runAsGroup;
  // Nothing asked of the identity: the process keeps the host's user and
  // groups (the agent's), as every earlier version did.
  if (request.runAsUser || request.runAsGroup || !wanted.supplementalGroups.empty()) {
    // Whose groups: the runAsUser's, or those of the user the process
    // inherits (the agent's). NSS: may read files or ask sssd/LDAP, briefly.
    const uid_t uid = request.runAsUser ? static_cast<uid_t>(*request.runAsUser) : ::geteuid();
    std::optional<UserEntry> user = lookupUser(uid);
    if (request.runAsUser && !spec.gid)
      spec.gid = user ? std::int64_t{user->primaryGroup} : kGroupOfUnknownUser;
    spec.security.groups = groupList(user, spec.gid, wanted.supplementalGroups);
  }
  spec.security.oomScoreAdj = wanted.oomScoreAdj;
  spec.security.keepAllCapabilities = wanted.privileged;
  spec.security.capabilities = wanted.capabilities;
  spec.security.ambient = wanted.addedCapabilities & wanted.capabilities;
  spec.security.noNewPrivileges = wanted.noNewPrivileges;
}

}  // namespace daemonlet::runtime::process
