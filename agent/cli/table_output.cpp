#include "agent/cli/table_output.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>

namespace daemonlet::cli {
namespace {

void emit(YAML::Emitter& out, const model::Json& json) {
  if (json.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [key, value] : json.items()) {
      out << YAML::Key << key << YAML::Value;
      emit(out, value);
    }
    out << YAML::EndMap;
  } else if (json.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& value : json) emit(out, value);
    out << YAML::EndSeq;
  } else if (json.is_string()) {
    // Quote strings that YAML would read back as another type.
    const std::string& s = json.get_ref<const std::string&>();
    bool ambiguous = s.empty() || s.front() == ' ' || s.back() == ' ' || s.front() == '-' || s.front() == '?' ||
                     s.find_first_of(":#{}[],&*!|>'\"%@`\n") != std::string::npos;
    if (!ambiguous) {
      static const char* kSpecial[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
      std::string lower = s;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      ambiguous = std::any_of(std::begin(kSpecial), std::end(kSpecial), [&](const char* w) { return lower == w; }) ||
                  lower.find_first_not_of("0123456789.+-e") == std::string::npos;
    }
    if (ambiguous) out << YAML::DoubleQuoted;
    out << s;
  } else if (json.is_null()) {
    out << YAML::Null;
  } else {
    out << json.dump();
  }
}

}  // namespace

void printTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << line << "\n";
  }
}

std::string humanAge(std::chrono::seconds age) {
  long s = std::max<long>(0, static_cast<long>(age.count()));
  if (s < 60) return std::to_string(s) + "s";
  if (s < 600) return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
  if (s < 3 * 3600) return std::to_string(s / 60) + "m";
  if (s < 48 * 3600) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::chrono::seconds ageOf(const std::string& rfc3339) {
  std::tm tm{};
  if (!strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return std::chrono::seconds(0);
  std::time_t then = timegm(&tm);
  return std::chrono::seconds(std::time(nullptr) - then);
}

std::string toYaml(const model::Json& json) {
  YAML::Emitter out;
  emit(out, json);
  return std::string(out.c_str()) + "\n";
}

}  // namespace daemonlet::cli
