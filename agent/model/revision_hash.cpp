#include "agent/model/revision_hash.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

// FROZEN ALGORITHM. The agent stamps every running daemon with this hash and, after
// an upgrade, compares the recorded value with a freshly computed one. Any change
// here -- serialisation, key order, number format, hash function, alphabet, length --
// makes every template look updated, so every daemon on every node restarts on
// upgrade. Change it only together with a migration, and expect the golden-value
// test in test/unit/model_hash/ to fail first.
//
// Algorithm (version 1):
//   1. Take raw["spec"]["template"] of the defaulted DaemonSet (JSON null if absent).
//   2. Serialise canonically: object keys sorted bytewise at every level, no
//      whitespace, strings escaped as JSON (UTF-8 kept as is), integers in decimal,
//      floats with an integral value written as integers, other floats in the
//      shortest round-trip form, true/false/null.
//   3. FNV-1a 64-bit over those bytes.
//   4. Write the value in base 27 over "bcdfghjklmnpqrstvwxz2456789", least
//      significant digit first, exactly 10 digits (the low ~47.5 bits; more than
//      enough to tell one DaemonSet's revisions apart).

namespace daemonlet::model {
namespace {

constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
constexpr std::string_view kSafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr int kHashLength = 10;

void writeCanonical(const Json& value, std::string& out);

void writeString(const std::string& s, std::string& out) {
  // nlohmann's string escaping is fixed (RFC 8259 minimal escaping, \u00XX for
  // other control characters); error_handler::replace keeps dump() from throwing
  // on invalid UTF-8 by substituting U+FFFD.
  out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

void writeFloat(double d, std::string& out) {
  constexpr double kTwoPow63 = 9223372036854775808.0;
  if (std::isfinite(d) && std::trunc(d) == d && d >= -kTwoPow63 && d < kTwoPow63) {
    out += std::to_string(static_cast<std::int64_t>(d));
    return;
  }
  // Shortest representation that round-trips (nlohmann's Grisu2); NaN and
  // infinities cannot come from JSON or YAML input and dump as null.
  out += Json(d).dump();
}

void writeObject(const Json& object, std::string& out) {
  std::vector<const std::string*> keys;
  keys.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(&it.key());
  std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  out += '{';
  bool first = true;
  for (const std::string* key : keys) {
    if (!first) out += ',';
    first = false;
    writeString(*key, out);
    out += ':';
    writeCanonical(object.find(*key).value(), out);
  }
  out += '}';
}

void writeCanonical(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::object:
      writeObject(value, out);
      return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& item : value) {
        if (!first) out += ',';
        first = false;
        writeCanonical(item, out);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      writeString(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case Json::value_t::number_float:
      writeFloat(value.get<double>(), out);
      return;
    case Json::value_t::null:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      out += "null";
      return;
  }
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = kFnvOffsetBasis;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= kFnvPrime;
  }
  return hash;
}

const Json& podTemplateOf(const Json& daemonSet) {
  static const Json kNull;
  if (!daemonSet.is_object()) return kNull;
  auto spec = daemonSet.find("spec");
  if (spec == daemonSet.end() || !spec->is_object()) return kNull;
  auto tmpl = spec->find("template");
  if (tmpl == spec->end()) return kNull;
  return *tmpl;
}

}  // namespace

std::string revisionHash(const DaemonSet& daemonSet) {
  std::string canonical;
  writeCanonical(podTemplateOf(daemonSet.raw), canonical);
  std::uint64_t value = fnv1a64(canonical);
  std::string encoded;
  encoded.reserve(kHashLength);
  for (int i = 0; i < kHashLength; ++i) {
    encoded += kSafeAlphabet[value % kSafeAlphabet.size()];
    value /= kSafeAlphabet.size();
  }
  return encoded;
}

}  // namespace daemonlet::model
