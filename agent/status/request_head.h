#pragma once
// The local API's own reader of an HTTP/1.x request head (request line and
// header fields, RFC 9112), run by the front before any request reaches
// cpp-httplib. It exists so that limits hold while bytes arrive: httplib reads
// a whole header list and body before anything can refuse them (issue 9, M3).
//
// Incremental: the caller appends received bytes to one buffer and calls
// scan() again; only the new bytes are looked at until the empty line ends the
// head, so a client trickling one byte at a time costs O(n), not O(n^2).
// Pure: no I/O, no clock. Not thread-safe (one scanner per connection).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace daemonlet::status {

struct HeadLimits {
  std::size_t maxHeadBytes = 16 * 1024;     // request line + fields + empty line
  std::size_t maxRequestLineBytes = 8 * 1024;
  std::size_t maxHeaderFields = 64;
};

// What the front needs to decide before it reads a body.
struct RequestHead {
  std::string method;
  std::string target;
  std::size_t headBytes = 0;  // the head's length in the buffer, empty line included
  std::optional<std::uint64_t> contentLength;
  bool transferEncoding = false;  // any Transfer-Encoding (the API requires Content-Length)
  std::optional<std::string> authorization;
  bool expectContinue = false;  // "Expect: 100-continue": the client waits before sending the body
};

enum class ScanState { kIncomplete, kComplete, kRefused };

struct ScanResult {
  ScanState state = ScanState::kIncomplete;
  RequestHead head;       // kComplete
  int status = 0;         // kRefused: 400, 414, 431 or 505
  std::string reason;     // kRefused: for the answer's body
};

class RequestHeadScanner {
 public:
  explicit RequestHeadScanner(HeadLimits limits = {}) : limits_(limits) {}

  // `buffer` is everything received so far on the connection (it only grows).
  ScanResult scan(std::string_view buffer);

 private:
  ScanResult parse(std::string_view head, std::size_t headBytes) const;

  HeadLimits limits_;
  std::size_t scanned_ = 0;     // complete lines before this offset were counted
  std::size_t lines_ = 0;       // non-empty lines seen (request line included)
  std::size_t headStart_ = 0;   // after the empty lines RFC 9112 lets a client send first
};

}  // namespace daemonlet::status
