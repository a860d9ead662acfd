// Exact Kubernetes resource.Quantity parsing and canonical formatting.
//
// A quantity is held as sign * digits_ * 10^exp10_ with digits_ free of leading and
// trailing zeros ("0" for zero). Binary suffixes are multiplied out at parse time
// (2^n times a decimal fraction always terminates), so all arithmetic after parsing
// is decimal. Like the API server, magnitudes are rounded up to nano precision.
#include "agent/model/quantity.h"
#include "agent/model/ascii_class.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <limits>

namespace daemonlet::model {
namespace {


// The pieces of a quantity string as the Kubernetes scanner splits them.
struct Scanned {
  bool negative = false;
  std::string_view numerator;    // without leading zeros; may be empty
  std::string_view denominator;  // digits after '.', may be empty
  std::string_view suffix;
};

// Mirrors parseQuantityString: sign, leading zeros, integer digits, optional
// '.' and fraction, then a suffix made of suffix letters, an optional sign and
// digits. Anything else after that is a format error.
std::optional<Scanned> scan(std::string_view s) {
  Scanned out;
  std::size_t pos = 0;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) {
    out.negative = s[pos] == '-';
    ++pos;
  }
  while (pos < s.size() && s[pos] == '0') ++pos;
  if (pos >= s.size()) return out;  // only sign and zeros: the value is 0
  std::size_t start = pos;
  while (pos < s.size() && isAsciiDigit(s[pos])) ++pos;
  out.numerator = s.substr(start, pos - start);
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    start = pos;
    while (pos < s.size() && isAsciiDigit(s[pos])) ++pos;
    out.denominator = s.substr(start, pos - start);
  }
  const std::size_t suffixStart = pos;
  constexpr std::string_view kSuffixLetters = "eEinumkKMGTP";
  while (pos < s.size() && kSuffixLetters.find(s[pos]) != std::string_view::npos) ++pos;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) ++pos;
  while (pos < s.size() && isAsciiDigit(s[pos])) ++pos;
  if (pos != s.size()) return std::nullopt;
  out.suffix = s.substr(suffixStart);
  return out;
}

struct SuffixMeaning {
  int base = 10;
  std::int64_t exponent = 0;
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

std::optional<SuffixMeaning> interpretSuffix(std::string_view suffix) {
  static constexpr std::pair<std::string_view, int> kDecimal[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0},
                                                                  {"k", 3},  {"M", 6},  {"G", 9},  {"T", 12},
                                                                  {"P", 15}, {"E", 18}};
  static constexpr std::pair<std::string_view, int> kBinary[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                                 {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [text, exponent] : kDecimal) {
    if (suffix == text) return SuffixMeaning{10, exponent, Quantity::Format::kDecimalSI};
  }
  for (const auto& [text, exponent] : kBinary) {
    if (suffix == text) return SuffixMeaning{2, exponent, Quantity::Format::kBinarySI};
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view digits = suffix.substr(1);
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);  // Go's ParseInt accepts '+'
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        (suffix[1] == '+' && suffix.size() > 2 && suffix[2] == '-')) {
      return std::nullopt;
    }
    // Kubernetes keeps the exponent as int32 (truncating); do the same.
    return SuffixMeaning{10, static_cast<std::int32_t>(static_cast<std::uint32_t>(parsed)),
                         Quantity::Format::kDecimalExponent};
  }
  return std::nullopt;
}

// Decimal magnitude arithmetic on digit strings.
void multiplyBy2(std::string& digits) {
  int carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = (*it - '0') * 2 + carry;
    *it = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  if (carry != 0) digits.insert(digits.begin(), static_cast<char>('0' + carry));
}

// Adds one to the magnitude (used for rounding up).
void increment(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

// Strips leading zeros, moves trailing zeros into the exponent.
void normalize(std::string& digits, std::int64_t& exp10) {
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    digits = "0";
    exp10 = 0;
    return;
  }
  digits.erase(0, first);
  const auto last = digits.find_last_not_of('0');
  exp10 += static_cast<std::int64_t>(digits.size() - 1 - last);
  digits.erase(last + 1);
}

// Rounds the magnitude up to `scale` (a power of ten exponent): the value
// digits*10^exp10 becomes a multiple of 10^scale. Returns true when exact.
bool roundUpToScale(std::string& digits, std::int64_t& exp10, std::int64_t scale) {
  if (exp10 >= scale || digits == "0") return true;
  const std::int64_t drop = scale - exp10;
  bool exact = true;
  if (drop >= static_cast<std::int64_t>(digits.size())) {
    digits = "1";
    exact = false;
  } else {
    const std::size_t keep = digits.size() - static_cast<std::size_t>(drop);
    exact = digits.find_first_not_of('0', keep) == std::string::npos;
    digits.erase(keep);
    if (!exact) increment(digits);
  }
  exp10 = scale;
  normalize(digits, exp10);
  return exact;
}

// digits*10^exp10 as an int64 magnitude, or nullopt when it overflows. exp10 >= 0.
std::optional<std::uint64_t> toUint64(const std::string& digits, std::int64_t exp10) {
  if (digits == "0") return 0;
  if (static_cast<std::int64_t>(digits.size()) + exp10 > 20) return std::nullopt;
  std::uint64_t value = 0;
  auto mulAdd = [&value](std::uint64_t mul, std::uint64_t add) {
    if (value > (std::numeric_limits<std::uint64_t>::max() - add) / mul) return false;
    value = value * mul + add;
    return true;
  };
  for (char c : digits) {
    if (!mulAdd(10, static_cast<std::uint64_t>(c - '0'))) return std::nullopt;
  }
  for (std::int64_t i = 0; i < exp10; ++i) {
    if (!mulAdd(10, 0)) return std::nullopt;
  }
  return value;
}

int clampExponent(std::int64_t exp10) {
  return static_cast<int>(std::clamp<std::int64_t>(exp10, INT_MIN / 2, INT_MAX / 2));
}

// Compares magnitudes a*10^ea and b*10^eb (both normalized).
int compareMagnitude(const std::string& a, std::int64_t ea, const std::string& b, std::int64_t eb) {
  const bool aZero = a == "0";
  const bool bZero = b == "0";
  if (aZero || bZero) return aZero == bZero ? 0 : (aZero ? -1 : 1);
  const std::int64_t aTop = static_cast<std::int64_t>(a.size()) + ea;
  const std::int64_t bTop = static_cast<std::int64_t>(b.size()) + eb;
  if (aTop != bTop) return aTop < bTop ? -1 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char ca = i < a.size() ? a[i] : '0';
    const char cb = i < b.size() ? b[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

// 2^63 - 1: the cap Kubernetes applies to binary-suffixed quantities.
constexpr std::string_view kMaxInt64Digits = "9223372036854775807";

}  // namespace

std::optional<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto scanned = scan(text);
  if (!scanned) return std::nullopt;
  const auto meaning = interpretSuffix(scanned->suffix);
  if (!meaning) return std::nullopt;

  Quantity q;
  q.original_ = std::string(text);
  q.format_ = meaning->format;
  std::string digits = std::string(scanned->numerator) + std::string(scanned->denominator);
  if (digits.empty()) digits = "0";
  std::int64_t exp10 = -static_cast<std::int64_t>(scanned->denominator.size());
  if (meaning->base == 10) {
    exp10 += meaning->exponent;
  } else {
    for (std::int64_t i = 0; i < meaning->exponent; ++i) multiplyBy2(digits);
  }
  normalize(digits, exp10);
  roundUpToScale(digits, exp10, -9);  // nonzero values never round to zero

  if (q.format_ == Format::kBinarySI) {
    if (compareMagnitude(digits, exp10, std::string(kMaxInt64Digits), 0) > 0) {
      digits = std::string(kMaxInt64Digits);
      exp10 = 0;
    }
    // Between 0 and 1 a binary suffix cannot be shown, so the value turns decimal.
    if (digits != "0" && compareMagnitude(digits, exp10, "1", 0) < 0) q.format_ = Format::kDecimalSI;
  }
  q.negative_ = scanned->negative && digits != "0";
  q.digits_ = std::move(digits);
  q.exp10_ = clampExponent(exp10);
  q.exp2_ = 0;
  return q;
}

bool Quantity::isNegative() const { return negative_; }
bool Quantity::isZero() const { return digits_.empty() || digits_ == "0"; }

int Quantity::compare(const Quantity& other) const {
  if (negative_ != other.negative_) return negative_ ? -1 : 1;
  const int magnitude =
      compareMagnitude(isZero() ? "0" : digits_, exp10_, other.isZero() ? "0" : other.digits_, other.exp10_);
  return negative_ ? -magnitude : magnitude;
}

namespace {
std::int64_t scaledValue(bool negative, std::string digits, std::int64_t exp10, std::int64_t scale) {
  // value / 10^scale, magnitude rounded up (away from zero), saturated.
  exp10 -= scale;
  roundUpToScale(digits, exp10, 0);
  const auto magnitude = toUint64(digits, exp10);
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!magnitude || *magnitude > kMax) {
    return negative ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  }
  const auto v = static_cast<std::int64_t>(*magnitude);
  return negative ? -v : v;
}
}  // namespace

std::int64_t Quantity::value() const { return scaledValue(negative_, isZero() ? "0" : digits_, exp10_, 0); }
std::int64_t Quantity::milliValue() const {
  return scaledValue(negative_, isZero() ? "0" : digits_, exp10_, -3);
}

std::string Quantity::canonical() const {
  if (isZero()) return "0";
  const std::string sign = negative_ ? "-" : "";
  Format format = format_;
  if (format == Format::kBinarySI) {
    const bool small = compareMagnitude(digits_, exp10_, "1024", 0) < 0;
    if (small || exp10_ < 0) format = Format::kDecimalSI;  // fractional binary values show as decimal
  }
  if (format == Format::kBinarySI) {
    // Integer value: divide by 1024 while exact, at most up to Ei.
    auto magnitude = toUint64(digits_, exp10_);
    if (magnitude) {
      std::uint64_t v = *magnitude;
      int exponent = 0;
      while (exponent < 6 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        ++exponent;
      }
      static constexpr std::string_view kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      return sign + std::to_string(v) + std::string(kBinary[exponent]);
    }
    format = Format::kDecimalSI;  // cannot happen after the 2^63-1 cap; be safe
  }
  // Mantissa without trailing zeros, exponent lowered to a multiple of three.
  std::string mantissa = digits_;
  std::int64_t exponent = exp10_;
  while (exponent % 3 != 0) {
    mantissa.push_back('0');
    --exponent;
  }
  if (format == Format::kDecimalExponent) {
    return sign + mantissa + (exponent == 0 ? std::string() : "e" + std::to_string(exponent));
  }
  static constexpr std::pair<int, std::string_view> kDecimal[] = {{-9, "n"}, {-6, "u"}, {-3, "m"}, {0, ""},
                                                                  {3, "k"},  {6, "M"},  {9, "G"},  {12, "T"},
                                                                  {15, "P"}, {18, "E"}};
  for (const auto& [e, text] : kDecimal) {
    if (e == exponent) return sign + mantissa + std::string(text);
  }
  // Kubernetes has no suffix beyond E and silently drops it; we keep the value
  // readable instead by falling back to the exponent form.
  return sign + mantissa + "e" + std::to_string(exponent);
}

}  // namespace daemonlet::model
