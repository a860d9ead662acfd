// Plain YAML scalars resolved with the YAML 1.1 rules of go-yaml v2 (what
// sigs.k8s.io/yaml, and so kubectl and the API server, use).
#include "agent/model/yaml_to_json.h"
#include "agent/model/ascii_class.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace daemonlet::model::yaml {
namespace {

using base::ErrorCode;
using base::makeError;

bool allDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    int v = -1;
    if (isAsciiDigit(c))
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    if (v < 0 || v >= base) return false;
  }
  return true;
}

// Go's strconv.ParseInt/ParseUint with base 0: optional sign (signed only),
// 0x/0o/0b prefixes, a leading 0 meaning octal.
std::optional<Json> parseGoInteger(std::string_view s) {
  bool negative = false;
  bool hadSign = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    hadSign = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (!allDigits(s, base)) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  constexpr auto kMaxSigned = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMaxSigned + 1) return std::nullopt;
    if (magnitude == kMaxSigned + 1) return Json(std::numeric_limits<std::int64_t>::min());
    return Json(-static_cast<std::int64_t>(magnitude));
  }
  if (magnitude <= kMaxSigned) return Json(static_cast<std::int64_t>(magnitude));
  if (hadSign) return std::nullopt;  // ParseUint takes no sign
  return Json(magnitude);
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool looksLikeYamlFloat(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digitsFrom = [&s](std::size_t& pos) {
    const std::size_t start = pos;
    while (pos < s.size() && isAsciiDigit(s[pos])) ++pos;
    return pos - start;
  };
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digitsFrom(i) == 0) return false;
  } else {
    if (digitsFrom(i) == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digitsFrom(i);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digitsFrom(i) == 0) return false;
  }
  return i == s.size();
}

// A float the way Go's json.Marshal would print it and read it back: integral
// values become JSON integers (so `replicas: 1e3` still fits an int field).
std::optional<Json> parseFloat(const std::string& s) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  if (std::trunc(v) == v && std::fabs(v) < 9.0e18) return Json(static_cast<std::int64_t>(v));
  return Json(v);
}

}  // namespace

base::Result<Json> resolvePlainScalar(const std::string& text) {
  struct Word {
    std::string_view text;
    int kind;  // 0 null, 1 true, 2 false, 3 non-finite float
  };
  static constexpr std::array kWords = {
      Word{"", 0},      Word{"~", 0},     Word{"null", 0},  Word{"Null", 0},  Word{"NULL", 0},
      Word{"y", 1},     Word{"Y", 1},     Word{"yes", 1},   Word{"Yes", 1},   Word{"YES", 1},
      Word{"true", 1},  Word{"True", 1},  Word{"TRUE", 1},  Word{"on", 1},    Word{"On", 1},
      Word{"ON", 1},    Word{"n", 2},     Word{"N", 2},     Word{"no", 2},    Word{"No", 2},
      Word{"NO", 2},    Word{"false", 2}, Word{"False", 2}, Word{"FALSE", 2}, Word{"off", 2},
      Word{"Off", 2},   Word{"OFF", 2},   Word{".nan", 3},  Word{".NaN", 3},  Word{".NAN", 3},
      Word{".inf", 3},  Word{".Inf", 3},  Word{".INF", 3},  Word{"+.inf", 3}, Word{"+.Inf", 3},
      Word{"+.INF", 3}, Word{"-.inf", 3}, Word{"-.Inf", 3}, Word{"-.INF", 3}};
  for (const Word& word : kWords) {
    if (word.text != text) continue;
    switch (word.kind) {
      case 0:
        return Json(nullptr);
      case 1:
        return Json(true);
      case 2:
        return Json(false);
      default:
        return makeError(ErrorCode::kInvalidArgument,
                         "value " + text + " (infinity or NaN) cannot be represented in JSON");
    }
  }
  if (text.empty()) return Json(text);
  const char first = text[0];
  if (isAsciiDigit(first) || first == '+' || first == '-') {
    // go-yaml strips every underscore before trying numbers.
    std::string plain;
    plain.reserve(text.size());
    for (char c : text) {
      if (c != '_') plain.push_back(c);
    }
    if (auto integer = parseGoInteger(plain)) return *integer;
    if (looksLikeYamlFloat(plain)) {
      if (auto number = parseFloat(plain)) return *number;
    }
    return Json(text);
  }
  if (first == '.') {
    // go-yaml hands these straight to strconv.ParseFloat (".5", ".5e3").
    if (looksLikeYamlFloat(text)) {
      if (auto number = parseFloat(text)) return *number;
    }
  }
  return Json(text);
}

Json resolveCoreSchemaScalar(const std::string& text) {
  static constexpr std::array<std::string_view, 5> kNulls = {"", "~", "null", "Null", "NULL"};
  static constexpr std::array<std::string_view, 3> kTrue = {"true", "True", "TRUE"};
  static constexpr std::array<std::string_view, 3> kFalse = {"false", "False", "FALSE"};
  const auto among = [&text](const auto& words) {
    return std::find(words.begin(), words.end(), text) != words.end();
  };
  if (among(kNulls)) return Json(nullptr);
  if (among(kTrue)) return Json(true);
  if (among(kFalse)) return Json(false);
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits.front() == '-';
  int base = 0;
  if (digits.size() > 2 && digits.substr(0, 2) == "0o") {
    base = 8;
    digits.remove_prefix(2);
  } else if (digits.size() > 2 && digits.substr(0, 2) == "0x") {
    base = 16;
    digits.remove_prefix(2);
  } else {
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    if (allDigits(digits, 10)) base = 10;
  }
  if (base != 0 && allDigits(digits, base)) {
    std::uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) return Json(text);  // too large: the text
    constexpr auto kMaxSigned = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!negative) return magnitude <= kMaxSigned ? Json(static_cast<std::int64_t>(magnitude)) : Json(magnitude);
    if (magnitude <= kMaxSigned + 1) return Json(static_cast<std::int64_t>(0 - magnitude));
    return Json(text);
  }
  if (looksLikeYamlFloat(text)) return Json(std::strtod(text.c_str(), nullptr));
  std::string_view word = text;
  const bool negativeWord = !word.empty() && word.front() == '-';
  if (!word.empty() && (word.front() == '-' || word.front() == '+')) word.remove_prefix(1);
  if (word == ".inf" || word == ".Inf" || word == ".INF") {
    return Json(negativeWord ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return Json(std::numeric_limits<double>::quiet_NaN());
  return Json(text);
}

}  // namespace daemonlet::model::yaml
