#pragma once
// Kubernetes resource.Quantity: "100m", "200Mi", "1Gi", "1e3", "0.5", "+1.5E-3".
// Parsed exactly (no floating point) so comparisons, cgroup limits and the
// canonical form used by the revision hash agree with the API server.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace daemonlet::model {

class Quantity {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  // Returns nullopt when `text` is not a valid quantity (same grammar as
  // k8s.io/apimachinery/pkg/api/resource.ParseQuantity).
  static std::optional<Quantity> parse(std::string_view text);

  const std::string& original() const { return original_; }
  Format format() const { return format_; }
  // Kubernetes' canonical string (what the API server stores): "1500m" -> "1500m",
  // "1.5" -> "1500m", "1024Mi" -> "1Gi", "1e3" -> "1e3".
  std::string canonical() const;
  // Value rounded up to an integer, as Quantity.Value(); saturates at int64 limits.
  std::int64_t value() const;
  // Value * 1000 rounded up, as Quantity.MilliValue(); saturates.
  std::int64_t milliValue() const;
  bool isNegative() const;
  bool isZero() const;
  // Three-way compare of exact values.
  int compare(const Quantity& other) const;

 private:
  std::string original_;
  Format format_ = Format::kDecimalSI;
  // Exact value: sign * digits_ * 10^exp10_ (digits_ without leading zeros) for
  // decimal quantities, and additionally * 2^exp2_ for binary suffixes.
  bool negative_ = false;
  std::string digits_;
  int exp10_ = 0;
  int exp2_ = 0;
};

}  // namespace daemonlet::model
