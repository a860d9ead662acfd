#pragma once
// The local API's one rule for "is this caller allowed to change something":
// an `Authorization: Bearer <token>` field carrying the token the agent wrote
// (0600) to <runDir>/api-token. The scheme is matched case-insensitively
// (RFC 7235 section 2.1, so `bearer` works as kubectl and curl may send it);
// the token is compared in constant time, so the answer's timing does not tell
// a local guesser how many leading characters were right.
// Immutable after construction; safe to share between threads.
#include <string>
#include <string_view>

namespace daemonlet::status {

class BearerAuth {
 public:
  // An empty token accepts nobody (the agent could not create one).
  explicit BearerAuth(std::string token) : token_(std::move(token)) {}

  // `authorization` is the field's value, without the field name.
  bool accepts(std::string_view authorization) const;

 private:
  std::string token_;
};

// Equal contents, in time that depends only on the lengths.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace daemonlet::status
