#include "agent/base/rfc3339.h"

#include <cctype>
#include <cstdint>
#include <ctime>

namespace daemonlet::base {
namespace {

int readDigits(std::string_view text, std::size_t& pos, std::size_t count) {
  int value = 0;
  for (std::size_t end = pos + count; pos < end; ++pos) {
    if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) return -1;
    value = value * 10 + (text[pos] - '0');
  }
  return value;
}

bool expect(std::string_view text, std::size_t& pos, std::string_view chars) {
  if (pos >= text.size() || chars.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

}  // namespace

std::string formatRfc3339(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text) {
  std::size_t pos = 0;
  std::tm tm{};
  const int year = readDigits(text, pos, 4);
  if (year < 0 || !expect(text, pos, "-")) return std::nullopt;
  const int month = readDigits(text, pos, 2);
  if (month < 1 || month > 12 || !expect(text, pos, "-")) return std::nullopt;
  const int day = readDigits(text, pos, 2);
  if (day < 1 || day > 31 || !expect(text, pos, "Tt ")) return std::nullopt;
  const int hour = readDigits(text, pos, 2);
  if (hour < 0 || hour > 23 || !expect(text, pos, ":")) return std::nullopt;
  const int minute = readDigits(text, pos, 2);
  if (minute < 0 || minute > 59 || !expect(text, pos, ":")) return std::nullopt;
  const int second = readDigits(text, pos, 2);
  if (second < 0 || second > 60) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    for (; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos, scale /= 10) {
      fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
    }
    if (pos == start) return std::nullopt;
  }
  std::chrono::minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos++] == '-' ? -1 : 1;
    const int oh = readDigits(text, pos, 2);
    if (oh < 0 || !expect(text, pos, ":")) return std::nullopt;
    const int om = readDigits(text, pos, 2);
    if (om < 0) return std::nullopt;
    offset = std::chrono::minutes(sign * (oh * 60 + om));
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t seconds = timegm(&tm);
  // system_clock counts nanoseconds in 64 bits: years ~1678 to ~2262. A time
  // outside (a day of margin for the offset) is refused, not wrapped around.
  using std::chrono::system_clock;
  constexpr std::int64_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::duration::max()).count() - 86'400 * 5;
  if (seconds > kLimit || seconds < -kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds) - offset +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

}  // namespace daemonlet::base
