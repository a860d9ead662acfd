#pragma once
// The node's own address, read from the host like its hostname (node_identity.h):
// what status.hostIP reports and host-network probes connect to.
#include <string>

namespace daemonlet::config {

// The first non-loopback IPv4 address; "127.0.0.1" when the host has nothing
// else (or its interfaces cannot be listed).
std::string detectHostIp();

}  // namespace daemonlet::config
