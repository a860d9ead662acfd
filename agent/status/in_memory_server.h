#pragma once
// cpp-httplib's routing without its sockets: the API front has already read and
// checked a whole request (head and body, within limits), and a worker hands
// those bytes to httplib's own request processing (Server::process_request,
// protected in httplib 0.11.4) over an in-memory stream, getting the complete
// response back as bytes for the front to write. Routes are registered with
// the usual Server::Get/Delete/...; the listen/bind members are never used.
// serve() may run on several threads at once (handlers must be thread-safe, as
// under httplib's own thread pool); register routes before the first call.
#include <httplib.h>

#include <string>

#include "agent/status/peer_address.h"

namespace daemonlet::status {

class InMemoryServer : public httplib::Server {
 public:
  // One request in, one response out, always with `Connection: close` (the
  // front serves one request per connection).
  std::string serve(const std::string& request, const Peer& peer, const Peer& local);
};

}  // namespace daemonlet::status
