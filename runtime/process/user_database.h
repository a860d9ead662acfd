#pragma once
// The host's user and group database (passwd and group through NSS), read by
// the agent when it prepares a start: the shim applies numbers only, and its
// static binary cannot use NSS.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace daemonlet::runtime::process {

struct UserEntry {
  std::string name;
  uid_t uid = 0;
  gid_t primaryGroup = 0;
};

// nullopt when the uid has no passwd entry (or the lookup failed).
std::optional<UserEntry> lookupUser(uid_t uid);
// The groups the user belongs to, primary group first (initgroups' list).
std::vector<gid_t> groupsOfUser(const UserEntry& user);

}  // namespace daemonlet::runtime::process
