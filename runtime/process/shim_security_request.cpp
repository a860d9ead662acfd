#include "runtime/process/shim_security_request.h"

#include <unistd.h>

#include <algorithm>

#include "runtime/process/user_database.h"

namespace daemonlet::runtime::process {

void resolveShimIdentity(const ContainerStartRequest& request, ShimSpec& spec) {
  const ContainerSecurity& wanted = request.security;
  spec.uid = request.runAsUser;
  spec.gid = request.runAsGroup;
  // Whose groups: the runAsUser, or the user the process inherits (the agent's).
  const uid_t uid = request.runAsUser ? static_cast<uid_t>(*request.runAsUser) : ::geteuid();
  std::optional<UserEntry> user = lookupUser(uid);
  if (request.runAsUser && !spec.gid) spec.gid = user ? std::int64_t{user->primaryGroup} : kGroupOfUnknownUser;

  std::vector<std::int64_t> groups;
  if (spec.gid) groups.push_back(*spec.gid);
  if (user) {
    for (gid_t group : groupsOfUser(*user)) groups.push_back(group);
  }
  groups.insert(groups.end(), wanted.supplementalGroups.begin(), wanted.supplementalGroups.end());
  std::vector<std::int64_t> unique;
  for (std::int64_t group : groups) {
    if (std::find(unique.begin(), unique.end(), group) == unique.end()) unique.push_back(group);
  }
  spec.security.groups = std::move(unique);

  spec.security.oomScoreAdj = wanted.oomScoreAdj;
  spec.security.keepAllCapabilities = wanted.privileged;
  spec.security.capabilities = wanted.capabilities;
  spec.security.ambient = wanted.addedCapabilities & wanted.capabilities;
  spec.security.noNewPrivileges = wanted.noNewPrivileges;
}

}  // namespace daemonlet::runtime::process
