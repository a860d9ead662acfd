#include "runtime/process/shim_security.h"

#include <limits>
#include <string>

namespace daemonlet::runtime::process {
namespace {

using Json = nlohmann::ordered_json;

base::Error bad(const std::string& field, const std::string& why) {
  return base::makeError(base::ErrorCode::kInvalidArgument, "bad shim spec: security." + field + ": " + why);
}

// Integers only, range-checked here, never narrowed by the JSON library.
std::optional<std::int64_t> integerIn(const Json& value, std::int64_t min, std::int64_t max) {
  if (value.is_number_unsigned()) {
    auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(max)) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (!value.is_number_integer()) return std::nullopt;
  auto v = value.get<std::int64_t>();
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> mask(const Json& value) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    return std::nullopt;
  }
  return value.get<std::uint64_t>();
}

}  // namespace

Json encodeShimSecurity(const ShimSecurity& s) {
  Json j = {{"oomScoreAdj", s.oomScoreAdj ? Json(*s.oomScoreAdj) : Json(nullptr)},
            {"groups", s.groups ? Json(*s.groups) : Json(nullptr)},
            {"keepAllCapabilities", s.keepAllCapabilities},
            {"capabilities", s.capabilities},
            {"ambient", s.ambient},
            {"noNewPrivileges", s.noNewPrivileges}};
  return j;
}

base::Result<ShimSecurity> decodeShimSecurity(const Json& j) {
  ShimSecurity s;
  if (j.is_null()) return s;
  if (!j.is_object()) return bad("", "not an object");
  if (const auto it = j.find("oomScoreAdj"); it != j.end() && !it->is_null()) {
    auto v = integerIn(*it, -1000, 1000);
    if (!v) return bad("oomScoreAdj", "not an integer in [-1000, 1000]");
    s.oomScoreAdj = static_cast<int>(*v);
  }
  if (const auto it = j.find("groups"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 65536) return bad("groups", "not a list of at most 65536 groups");
    std::vector<std::int64_t> groups;
    for (const auto& group : *it) {
      // (gid_t)-1 means "unchanged" to the kernel: never a group.
      auto v = integerIn(group, 0, std::numeric_limits<std::uint32_t>::max() - 1);
      if (!v) return bad("groups", "not a group id");
      groups.push_back(*v);
    }
    s.groups = std::move(groups);
  }
  if (const auto it = j.find("keepAllCapabilities"); it != j.end()) {
    if (!it->is_boolean()) return bad("keepAllCapabilities", "not a boolean");
    s.keepAllCapabilities = it->get<bool>();
  }
  for (auto [key, out] : {std::pair{"capabilities", &s.capabilities}, std::pair{"ambient", &s.ambient}}) {
    const auto it = j.find(key);
    if (it == j.end()) continue;
    auto v = mask(*it);
    if (!v) return bad(key, "not a capability mask");
    *out = *v;
  }
  if (const auto it = j.find("noNewPrivileges"); it != j.end()) {
    if (!it->is_boolean()) return bad("noNewPrivileges", "not a boolean");
    s.noNewPrivileges = it->get<bool>();
  }
  return s;
}

}  // namespace daemonlet::runtime::process
