#pragma once
// A socket's address as the local API reports it to httplib (REMOTE_ADDR, ...).
#include <string>

namespace daemonlet::status {

struct Peer {
  std::string ip;
  int port = 0;
};

}  // namespace daemonlet::status
