#pragma once
// Durations written the way Go's time.ParseDuration reads them ("10s", "5m",
// "1h30m", "1.5h", "300ms", "0"), as kubelet's configuration does, so values carry
// over from a KubeletConfiguration unchanged.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace daemonlet::config {

// nullopt on any syntax error or overflow; `why` (optional) then says what is wrong.
// Units: ns, us (also µs/μs), ms, s, m, h. A sign is allowed; no unit only for "0".
std::optional<std::chrono::nanoseconds> parseGoDuration(std::string_view text, std::string* why = nullptr);

// Go's Duration.String(): "10s", "5m0s", "1h30m0s", "1.5s", "300ms", "0s".
std::string formatGoDuration(std::chrono::nanoseconds duration);

}  // namespace daemonlet::config
