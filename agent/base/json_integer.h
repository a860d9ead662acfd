#pragma once
// The one rule for reading a JSON number into a C++ integer type: only an
// integer literal (no fraction, no exponent) whose value fits T is accepted.
// nlohmann's get<int>() converts anything numeric: from a double out of T's range
// (1e300, NaN from a hand-edited file) that is undefined behaviour, and an
// out-of-range integer (a pid of 4294967297) silently wraps to a different value.
// Templated on the JSON type so it serves nlohmann::json and ordered_json alike
// without this library depending on nlohmann.
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace daemonlet::base {

// `value` as T, or nullopt when it is not an integer or does not fit.
template <typename T, typename BasicJson>
std::optional<T> jsonInteger(const BasicJson& value) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  if (value.is_number_unsigned()) {
    const auto v = value.template get<std::uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (value.is_number_integer()) {
    const auto v = value.template get<std::int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  }
  return std::nullopt;
}

// object[key] as T; throws std::invalid_argument naming the field when it is
// missing, not an integer, or out of T's range. For decoders that turn any
// exception into "corrupt record: <what>".
template <typename T, typename BasicJson>
T jsonIntegerAt(const BasicJson& object, std::string_view key) {
  const auto& value = object.at(std::string(key));
  if (auto v = jsonInteger<T>(value)) return *v;
  throw std::invalid_argument("field \"" + std::string(key) + "\": " + value.dump() +
                              " is not an integer from " + std::to_string(std::numeric_limits<T>::min()) +
                              " to " + std::to_string(std::numeric_limits<T>::max()));
}

}  // namespace daemonlet::base
