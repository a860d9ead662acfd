#include "agent/decision/label_syntax.h"

#include <limits>

#include "agent/model/validation_names.h"

namespace daemonlet::decision {

bool isValidLabelKey(std::string_view key) { return model::isQualifiedName(key).empty(); }

bool isValidLabelValue(std::string_view value) { return model::isValidLabelValue(value).empty(); }

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
