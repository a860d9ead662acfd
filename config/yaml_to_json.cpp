#include "config/yaml_to_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <regex>
#include <set>
#include <vector>

#include "agent/model/yaml_progress_check.h"

namespace daemonlet::config {
namespace {

// A config file is small and written by hand; anything bigger is a mistake.
constexpr std::size_t kMaxContentBytes = 1024 * 1024;
// Deep nesting has no use here and would recurse on our stack.
constexpr int kMaxDepth = 32;

// Thrown inside this file only and turned into a Result below.
struct ConversionError {
  std::string message;
  YAML::Mark mark;
};

std::string at(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) + ": ";
}

model::Json resolvePlainScalar(const std::string& s) {
  static const std::set<std::string> kNulls = {"~", "null", "Null", "NULL"};
  static const std::set<std::string> kTrue = {"true", "True", "TRUE"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE"};
  static const std::regex kDecimalInt("[-+]?[0-9]+");
  static const std::regex kOctalInt("0o[0-7]+");
  static const std::regex kHexInt("0x[0-9a-fA-F]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex kInfinity("[-+]?\\.(inf|Inf|INF)");
  static const std::regex kNotANumber("\\.(nan|NaN|NAN)");

  if (kNulls.count(s) > 0) return nullptr;
  if (kTrue.count(s) > 0) return true;
  if (kFalse.count(s) > 0) return false;
  auto parseInt = [&s](std::string_view digits, int base) -> model::Json {
    const bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    std::uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) return s;  // too large: keep the text
    if (!negative) {
      if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(magnitude);
      }
      return magnitude;
    }
    if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
      return static_cast<std::int64_t>(0 - magnitude);
    }
    return s;
  };
  if (std::regex_match(s, kDecimalInt)) return parseInt(s, 10);
  if (std::regex_match(s, kOctalInt)) return parseInt(std::string_view(s).substr(2), 8);
  if (std::regex_match(s, kHexInt)) return parseInt(std::string_view(s).substr(2), 16);
  if (std::regex_match(s, kFloat)) return std::strtod(s.c_str(), nullptr);
  if (std::regex_match(s, kInfinity)) {
    return s.front() == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
  }
  if (std::regex_match(s, kNotANumber)) return std::numeric_limits<double>::quiet_NaN();
  return s;
}

model::Json convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) throw ConversionError{"nesting deeper than 32 levels", node.Mark()};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      // "!" marks a quoted scalar (or an explicit non-specific tag): always text.
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
      return resolvePlainScalar(node.Scalar());
    }
    case YAML::NodeType::Sequence: {
      model::Json array = model::Json::array();
      for (const YAML::Node& item : node) array.push_back(convert(item, depth + 1));
      return array;
    }
    case YAML::NodeType::Map: {
      model::Json object = model::Json::object();
      for (const auto& entry : node) {
        const YAML::Node& key = entry.first;
        if (!key.IsScalar()) throw ConversionError{"mapping keys must be plain strings", key.Mark()};
        const std::string& name = key.Scalar();
        if (object.contains(name)) throw ConversionError{"duplicate key \"" + name + "\"", key.Mark()};
        object[name] = convert(entry.second, depth + 1);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

base::Result<model::Json> yamlToJson(std::string_view content, const std::string& fileName) {
  if (content.size() > kMaxContentBytes) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           "file is larger than 1 MiB; not a configuration file", fileName);
  }
  try {
    const std::string text(content);
    model::checkYamlProgress(text);  // LoadAll could spin forever otherwise
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    std::vector<const YAML::Node*> nonEmpty;
    for (const YAML::Node& doc : documents) {
      if (!doc.IsNull()) nonEmpty.push_back(&doc);
    }
    if (nonEmpty.empty()) return model::Json(nullptr);
    if (nonEmpty.size() > 1) {
      return base::makeError(base::ErrorCode::kInvalidArgument,
                             "holds " + std::to_string(nonEmpty.size()) +
                                 " YAML documents; a configuration file holds exactly one",
                             fileName);
    }
    return convert(*nonEmpty.front(), 0);
  } catch (const ConversionError& e) {
    return base::makeError(base::ErrorCode::kInvalidArgument, at(e.mark) + e.message, fileName);
  } catch (const model::YamlStuck& e) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "YAML syntax error: " + at(e.mark) + e.reason,
                           fileName);
  } catch (const YAML::Exception& e) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "YAML syntax error: " + at(e.mark) + e.msg,
                           fileName);
  } catch (const std::exception& e) {
    return base::makeError(base::ErrorCode::kInvalidArgument, std::string("cannot parse YAML: ") + e.what(),
                           fileName);
  }
}

}  // namespace daemonlet::config
