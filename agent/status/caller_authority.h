#pragma once
// Who may change state or read logs on the local API: a caller with the bearer
// token (bearer_auth.h), or a loopback client whose socket belongs to one of the
// trusted users; the agent trusts root and its own user, the principals that
// can read the 0600 token file anyway.
// The second way exists because kubectl never sends credentials over plain
// HTTP (it sets `--token` only on TLS connections), and the local API speaks
// plain HTTP on the loopback; the kernel's socket table (/proc/net/tcp{,6})
// names the owner of the client's end of a loopback connection.
// Thread-safe.
#include <sys/types.h>

#include <optional>
#include <string_view>
#include <vector>

#include "agent/status/bearer_auth.h"
#include "agent/status/peer_address.h"

namespace daemonlet::status {

// The uid owning the client's end of the TCP connection client -> server, when
// both ends are on this host and the socket table shows it.
std::optional<uid_t> loopbackPeerUid(const Peer& client, const Peer& server);

class CallerAuthority {
 public:
  // Implicit: a bare token authority trusts no user by socket.
  CallerAuthority(BearerAuth auth, std::vector<uid_t> trustedUsers = {})  // NOLINT(google-explicit-constructor)
      : auth_(std::move(auth)), trustedUsers_(std::move(trustedUsers)) {}

  bool authorizes(std::string_view authorization, const Peer& client, const Peer& server) const;

 private:
  BearerAuth auth_;
  std::vector<uid_t> trustedUsers_;
};

// Root and the calling process's effective user: the agent's trusted users.
std::vector<uid_t> agentTrustedUsers();

}  // namespace daemonlet::status
