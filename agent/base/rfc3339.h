#pragma once
// RFC 3339 times as Kubernetes writes them ("2026-11-27T18:00:00Z"): one
// formatter and one parser for the status API, node reports and the endpoint cache.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace daemonlet::base {

// Whole seconds, UTC, "Z" suffix (metav1.Time's form).
std::string formatRfc3339(std::chrono::system_clock::time_point time);

// Accepts optional fractional seconds and "Z" or "+hh:mm"/"-hh:mm" offsets;
// nullopt for anything else (trailing text included).
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace daemonlet::base
