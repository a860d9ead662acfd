#include "config/go_duration.h"

#include <cstdint>
#include <limits>
#include <utility>

namespace daemonlet::config {
namespace {

constexpr std::uint64_t kMaxNanos = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Longest unit names first so "ms" is not read as "m" followed by garbage.
constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
    {"ns", 1ULL},
    {"us", 1000ULL},
    {"\xC2\xB5s", 1000ULL},  // U+00B5 micro sign
    {"\xCE\xBCs", 1000ULL},  // U+03BC Greek mu
    {"ms", 1000ULL * 1000},
    {"s", 1000ULL * 1000 * 1000},
    {"m", 60ULL * 1000 * 1000 * 1000},
    {"h", 3600ULL * 1000 * 1000 * 1000},
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::chrono::nanoseconds> fail(std::string* why, std::string message) {
  if (why != nullptr) *why = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parseGoDuration(std::string_view text, std::string* why) {
  const std::string original(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return fail(why, "invalid duration " + original);

  std::uint64_t total = 0;
  while (!text.empty()) {
    // Integer part.
    std::uint64_t whole = 0;
    bool sawDigits = false;
    while (!text.empty() && isDigit(text.front())) {
      sawDigits = true;
      const std::uint64_t digit = static_cast<std::uint64_t>(text.front() - '0');
      if (whole > (kMaxNanos - digit) / 10) return fail(why, "duration out of range: " + original);
      whole = whole * 10 + digit;
      text.remove_prefix(1);
    }
    // Fraction: kept as digits/scale, precision beyond 2^63 simply dropped (as Go does).
    std::uint64_t fraction = 0;
    double scale = 1;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      bool overflowed = false;
      while (!text.empty() && isDigit(text.front())) {
        sawDigits = true;
        const std::uint64_t digit = static_cast<std::uint64_t>(text.front() - '0');
        if (!overflowed && fraction <= (kMaxNanos - digit) / 10) {
          fraction = fraction * 10 + digit;
          scale *= 10;
        } else {
          overflowed = true;
        }
        text.remove_prefix(1);
      }
    }
    if (!sawDigits) return fail(why, "invalid duration " + original);

    std::size_t unitLength = 0;
    while (unitLength < text.size() && text[unitLength] != '.' && !isDigit(text[unitLength])) ++unitLength;
    const std::string_view unitName = text.substr(0, unitLength);
    if (unitName.empty())
      return fail(why, "missing unit in duration " + original + " (use e.g. 10s, 5m, 1h30m)");
    std::uint64_t unit = 0;
    for (const auto& [name, nanos] : kUnits) {
      if (name == unitName) unit = nanos;
    }
    if (unit == 0) {
      return fail(why, "unknown unit \"" + std::string(unitName) + "\" in duration " + original +
                           " (units: ns, us, ms, s, m, h)");
    }
    text.remove_prefix(unitLength);

    if (whole > kMaxNanos / unit) return fail(why, "duration out of range: " + original);
    std::uint64_t value = whole * unit;
    if (fraction > 0) {
      const auto extra =
          static_cast<std::uint64_t>(static_cast<double>(fraction) * (static_cast<double>(unit) / scale));
      if (extra > kMaxNanos - value) return fail(why, "duration out of range: " + original);
      value += extra;
    }
    if (value > kMaxNanos - total) return fail(why, "duration out of range: " + original);
    total += value;
  }
  const auto signedTotal = static_cast<std::int64_t>(total);
  return std::chrono::nanoseconds(negative ? -signedTotal : signedTotal);
}

std::string formatGoDuration(std::chrono::nanoseconds duration) {
  std::int64_t n = duration.count();
  if (n == 0) return "0s";
  const bool negative = n < 0;
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  std::uint64_t u = negative ? static_cast<std::uint64_t>(-(n + 1)) + 1 : static_cast<std::uint64_t>(n);

  // Renders `value / 10^digits` with trailing zeros of the fraction dropped.
  auto withFraction = [](std::uint64_t value, int digits) {
    std::string whole = std::to_string(value);
    if (static_cast<int>(whole.size()) <= digits)
      whole.insert(0, static_cast<std::size_t>(digits) + 1 - whole.size(), '0');
    std::string intPart = whole.substr(0, whole.size() - static_cast<std::size_t>(digits));
    std::string frac = whole.substr(whole.size() - static_cast<std::size_t>(digits));
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    return frac.empty() ? intPart : intPart + "." + frac;
  };

  std::string out;
  constexpr std::uint64_t kSecond = 1000ULL * 1000 * 1000;
  if (u < kSecond) {
    // Sub-second values use the largest unit that keeps a non-zero integer part.
    if (u < 1000) {
      out = std::to_string(u) + "ns";
    } else if (u < 1000ULL * 1000) {
      out = withFraction(u, 3) + "\xC2\xB5s";
    } else {
      out = withFraction(u, 6) + "ms";
    }
  } else {
    const std::uint64_t hours = u / (3600 * kSecond);
    u -= hours * 3600 * kSecond;
    const std::uint64_t minutes = u / (60 * kSecond);
    u -= minutes * 60 * kSecond;
    if (hours > 0) out += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
    out += withFraction(u, 9) + "s";
  }
  return negative ? "-" + out : out;
}

}  // namespace daemonlet::config
