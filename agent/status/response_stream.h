#pragma once
// A response that goes on after its head: a watch, a followed log. httplib's
// handlers produce whole responses on a worker; a handler that wants to stream
// instead offers a ResponseStream for the request it is serving, and the API
// front (api_front.h) then owns it on its poll thread: it sends a chunked head,
// pulls what is new about every kStreamPullInterval while the client keeps
// reading, and closes when the stream ends, the client leaves or stops
// reading. So a follower costs a socket and this object, never a thread.
//
// The offer travels beside httplib's Response (its handler signature has no
// room for it) in a slot private to the worker thread serving the request:
// offerResponseStream() from inside a handler, takeOfferedResponseStream() by
// the dispatcher right after routing.
#include <chrono>
#include <memory>
#include <string>

namespace daemonlet::status {

inline constexpr std::chrono::milliseconds kStreamPullInterval{200};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual std::string contentType() const = 0;
  // On the front's poll thread; must not block. Appends the body bytes that are
  // new (unframed: the front chunks them) to `out`, at most about `budget`
  // bytes. Returns false once the stream has ended (after appending its last bytes).
  virtual bool pull(std::string& out, std::size_t budget, std::chrono::steady_clock::time_point now) = 0;
};

void offerResponseStream(std::unique_ptr<ResponseStream> stream);
std::unique_ptr<ResponseStream> takeOfferedResponseStream();

}  // namespace daemonlet::status
