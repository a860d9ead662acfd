#include "agent/decision/label_syntax.h"

#include <limits>

namespace daemonlet::decision {
namespace {

constexpr std::size_t kMaxNameLength = 63;
constexpr std::size_t kMaxSubdomainLength = 253;

bool isAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], non-empty.
bool isQualifiedNamePart(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (!isAsciiAlnum(name.front()) || !isAsciiAlnum(name.back())) return false;
  for (char c : name) {
    if (!isAsciiAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*, at most 253 characters.
bool isDns1123Subdomain(std::string_view text) {
  if (text.empty() || text.size() > kMaxSubdomainLength) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view label =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !isLowerAlnum(label.front()) || !isLowerAlnum(label.back())) return false;
    for (char c : label) {
      if (!isLowerAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

bool isValidLabelKey(std::string_view key) {
  std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return isQualifiedNamePart(key);
  std::string_view prefix = key.substr(0, slash);
  std::string_view name = key.substr(slash + 1);
  if (name.find('/') != std::string_view::npos) return false;
  return isDns1123Subdomain(prefix) && isQualifiedNamePart(name);
}

bool isValidLabelValue(std::string_view value) { return value.empty() || isQualifiedNamePart(value); }

std::optional<std::int64_t> parseGoInt64(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  // Accumulate as a negative number so INT64_MIN, whose magnitude has no positive
  // int64, parses like Go parses it.
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (negative) return value;
  if (value == kMin) return std::nullopt;
  return -value;
}

}  // namespace daemonlet::decision
