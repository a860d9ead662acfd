#include "agent/status/caller_authority.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace daemonlet::status {
namespace {

// An address as the socket table prints it: each 32-bit word of the address in
// host byte order as 8 hex digits, then ':' and the port as 4 hex digits.
std::optional<std::string> tableAddress(const Peer& peer, bool& v6) {
  unsigned char bytes[16];
  std::size_t length = 0;
  // A v4-mapped client of a v6 socket ("::ffff:127.0.0.1") is in the v6 table, so stays v6.
  const std::string& ip = peer.ip;
  if (::inet_pton(AF_INET, ip.c_str(), bytes) == 1) {
    length = 4;
    v6 = false;
  } else if (::inet_pton(AF_INET6, ip.c_str(), bytes) == 1) {
    length = 16;
    v6 = true;
  } else {
    return std::nullopt;
  }
  std::string out;
  char word[12];
  for (std::size_t i = 0; i < length; i += 4) {
    std::uint32_t value = 0;
    std::memcpy(&value, bytes + i, 4);
    std::snprintf(word, sizeof word, "%08X", value);
    out += word;
  }
  char port[8];
  std::snprintf(port, sizeof port, ":%04X", static_cast<unsigned>(peer.port) & 0xFFFFu);
  return out + port;
}

std::optional<uid_t> uidInTable(const char* table, const std::string& local, const std::string& remote) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, localField, remoteField, state, queues, timer, retransmits;
    long long uid = -1;
    if (!(fields >> slot >> localField >> remoteField >> state >> queues >> timer >> retransmits >> uid)) continue;
    if (localField == local && remoteField == remote && uid >= 0) return static_cast<uid_t>(uid);
  }
  return std::nullopt;
}

}  // namespace

std::optional<uid_t> loopbackPeerUid(const Peer& client, const Peer& server) {
  bool clientV6 = false, serverV6 = false;
  auto local = tableAddress(client, clientV6);
  auto remote = tableAddress(server, serverV6);
  if (!local || !remote || clientV6 != serverV6) return std::nullopt;
  return uidInTable(clientV6 ? "/proc/net/tcp6" : "/proc/net/tcp", *local, *remote);
}

bool CallerAuthority::authorizes(std::string_view authorization, const Peer& client, const Peer& server) const {
  if (auth_.accepts(authorization)) return true;
  if (trustedUsers_.empty()) return false;
  auto uid = loopbackPeerUid(client, server);
  return uid && std::find(trustedUsers_.begin(), trustedUsers_.end(), *uid) != trustedUsers_.end();
}

std::vector<uid_t> agentTrustedUsers() { return {0, ::geteuid()}; }

}  // namespace daemonlet::status
