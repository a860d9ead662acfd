#include "agent/status/bearer_auth.h"

#include <cctype>

namespace daemonlet::status {

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of the longer string is visited whatever the contents; the
  // lengths themselves are not secret (the agent's tokens are all 64 hex digits).
  std::size_t length = a.size() > b.size() ? a.size() : b.size();
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < length; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    difference = static_cast<unsigned char>(difference | (x ^ y));
  }
  return difference == 0;
}

bool BearerAuth::accepts(std::string_view authorization) const {
  if (token_.empty()) return false;
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  std::string_view credentials = authorization.substr(kScheme.size());
  if (credentials.front() != ' ') return false;  // "Bearerx..." is another scheme
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && (credentials.back() == ' ' || credentials.back() == '\t')) credentials.remove_suffix(1);
  return constantTimeEquals(credentials, token_);
}

}  // namespace daemonlet::status
