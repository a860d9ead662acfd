#include "agent/kubeapi/human_time.h"

#include "agent/base/rfc3339.h"

namespace daemonlet::kubeapi {

std::string humanDuration(std::chrono::system_clock::duration elapsed) {
  using std::to_string;
  long long seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return to_string(seconds) + "s";
  long long minutes = seconds / 60;
  if (minutes < 10) return seconds % 60 == 0 ? to_string(minutes) + "m" : to_string(minutes) + "m" + to_string(seconds % 60) + "s";
  if (minutes < 60 * 3) return to_string(minutes) + "m";
  long long hours = minutes / 60;
  if (hours < 8) return minutes % 60 == 0 ? to_string(hours) + "h" : to_string(hours) + "h" + to_string(minutes % 60) + "m";
  if (hours < 48) return to_string(hours) + "h";
  if (hours < 24 * 8) return hours % 24 == 0 ? to_string(hours / 24) + "d" : to_string(hours / 24) + "d" + to_string(hours % 24) + "h";
  if (hours < 24 * 365 * 2) return to_string(hours / 24) + "d";
  long long days = hours / 24;
  if (hours < 24 * 365 * 8) return days % 365 == 0 ? to_string(days / 365) + "y" : to_string(days / 365) + "y" + to_string(days % 365) + "d";
  return to_string(days / 365) + "y";
}

std::string ageOf(const model::Json& timestamp, std::chrono::system_clock::time_point now) {
  if (!timestamp.is_string()) return "<unknown>";
  auto time = base::parseRfc3339(timestamp.get<std::string>());
  if (!time) return "<unknown>";
  return humanDuration(now - *time);
}

}  // namespace daemonlet::kubeapi
