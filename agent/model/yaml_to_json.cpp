// YAML node -> JSON, resolving plain scalars with the YAML 1.1 rules of go-yaml v2
// (what sigs.k8s.io/yaml, and so kubectl and the API server, use).
#include "agent/model/yaml_to_json.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace daemonlet::model::yaml {
namespace {

using base::ErrorCode;
using base::makeError;

// A failure inside the recursive conversion; caught in toJson() so no exception
// leaves this file.
struct ConversionFailure {
  std::string message;
};

std::string lineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) + ": ";
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool allDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    int v = -1;
    if (isDigit(c))
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    if (v < 0 || v >= base) return false;
  }
  return true;
}

// Go's strconv.ParseInt/ParseUint with base 0: optional sign (signed only),
// 0x/0o/0b prefixes, a leading 0 meaning octal.
std::optional<Json> parseGoInteger(std::string_view s) {
  bool negative = false;
  bool hadSign = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    hadSign = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (!allDigits(s, base)) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  constexpr auto kMaxSigned = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMaxSigned + 1) return std::nullopt;
    if (magnitude == kMaxSigned + 1) return Json(std::numeric_limits<std::int64_t>::min());
    return Json(-static_cast<std::int64_t>(magnitude));
  }
  if (magnitude <= kMaxSigned) return Json(static_cast<std::int64_t>(magnitude));
  if (hadSign) return std::nullopt;  // ParseUint takes no sign
  return Json(magnitude);
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool looksLikeYamlFloat(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digitsFrom = [&s](std::size_t& pos) {
    const std::size_t start = pos;
    while (pos < s.size() && isDigit(s[pos])) ++pos;
    return pos - start;
  };
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digitsFrom(i) == 0) return false;
  } else {
    if (digitsFrom(i) == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digitsFrom(i);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digitsFrom(i) == 0) return false;
  }
  return i == s.size();
}

// A float the way Go's json.Marshal would print it and read it back: integral
// values become JSON integers (so `replicas: 1e3` still fits an int field).
std::optional<Json> parseFloat(const std::string& s) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  if (std::trunc(v) == v && std::fabs(v) < 9.0e18) return Json(static_cast<std::int64_t>(v));
  return Json(v);
}

}  // namespace

base::Result<Json> resolvePlainScalar(const std::string& text) {
  struct Word {
    std::string_view text;
    int kind;  // 0 null, 1 true, 2 false, 3 non-finite float
  };
  static constexpr std::array kWords = {
      Word{"", 0},      Word{"~", 0},     Word{"null", 0},  Word{"Null", 0},  Word{"NULL", 0},
      Word{"y", 1},     Word{"Y", 1},     Word{"yes", 1},   Word{"Yes", 1},   Word{"YES", 1},
      Word{"true", 1},  Word{"True", 1},  Word{"TRUE", 1},  Word{"on", 1},    Word{"On", 1},
      Word{"ON", 1},    Word{"n", 2},     Word{"N", 2},     Word{"no", 2},    Word{"No", 2},
      Word{"NO", 2},    Word{"false", 2}, Word{"False", 2}, Word{"FALSE", 2}, Word{"off", 2},
      Word{"Off", 2},   Word{"OFF", 2},   Word{".nan", 3},  Word{".NaN", 3},  Word{".NAN", 3},
      Word{".inf", 3},  Word{".Inf", 3},  Word{".INF", 3},  Word{"+.inf", 3}, Word{"+.Inf", 3},
      Word{"+.INF", 3}, Word{"-.inf", 3}, Word{"-.Inf", 3}, Word{"-.INF", 3}};
  for (const Word& word : kWords) {
    if (word.text != text) continue;
    switch (word.kind) {
      case 0:
        return Json(nullptr);
      case 1:
        return Json(true);
      case 2:
        return Json(false);
      default:
        return makeError(ErrorCode::kInvalidArgument,
                         "value " + text + " (infinity or NaN) cannot be represented in JSON");
    }
  }
  if (text.empty()) return Json(text);
  const char first = text[0];
  if (isDigit(first) || first == '+' || first == '-') {
    // go-yaml strips every underscore before trying numbers.
    std::string plain;
    plain.reserve(text.size());
    for (char c : text) {
      if (c != '_') plain.push_back(c);
    }
    if (auto integer = parseGoInteger(plain)) return *integer;
    if (looksLikeYamlFloat(plain)) {
      if (auto number = parseFloat(plain)) return *number;
    }
    return Json(text);
  }
  if (first == '.') {
    // go-yaml hands these straight to strconv.ParseFloat (".5", ".5e3").
    if (looksLikeYamlFloat(text)) {
      if (auto number = parseFloat(text)) return *number;
    }
  }
  return Json(text);
}

namespace {

bool isPlain(const YAML::Node& node) { return node.Tag() == "?"; }

// Explicit core-schema tags resolve like plain scalars; any other tag, and quoted
// scalars (tag "!"), keep the text.
bool resolvesLikePlain(const std::string& tag) {
  return tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
         tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
}

class Converter {
 public:
  explicit Converter(ConversionBudget& budget) : budget_(budget) {}

  Json convert(const YAML::Node& node, int depth) {
    if (depth > budget_.maxDepth) {
      fail(lineOf(node) + "nesting is deeper than " + std::to_string(budget_.maxDepth) + " levels");
    }
    if (++budget_.nodes > budget_.maxNodes) {
      fail("document expands to more than " + std::to_string(budget_.maxNodes) + " nodes (alias expansion?)");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Json(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& child : node) out.push_back(convert(child, depth + 1));
        return out;
      }
      case YAML::NodeType::Map:
        return mapping(node, depth);
    }
    return Json(nullptr);
  }

 private:
  [[noreturn]] static void fail(std::string message) { throw ConversionFailure{std::move(message)}; }

  Json scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    budget_.scalarBytes += text.size();
    if (budget_.scalarBytes > budget_.maxScalarBytes) {
      fail("document expands to more than " + std::to_string(budget_.maxScalarBytes) + " bytes of values");
    }
    if (!resolvesLikePlain(node.Tag())) return Json(text);
    auto resolved = resolvePlainScalar(text);
    if (!resolved) fail(lineOf(node) + resolved.error().message);
    return std::move(resolved).value();
  }

  // Keys become strings as sigs.k8s.io/yaml writes them: `yes:` -> "true", `1:` -> "1".
  std::string keyText(const YAML::Node& key) {
    if (key.IsNull()) return "null";
    if (!key.IsScalar()) fail(lineOf(key) + "map keys must be scalars");
    if (!resolvesLikePlain(key.Tag())) return key.Scalar();
    auto resolved = resolvePlainScalar(key.Scalar());
    if (!resolved || resolved->is_string()) return key.Scalar();
    if (resolved->is_null()) return "null";
    return resolved->dump();
  }

  Json mapping(const YAML::Node& node, int depth) {
    Json out = Json::object();
    std::vector<YAML::Node> merges;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.IsScalar() && isPlain(it->first) && it->first.Scalar() == "<<") {
        merges.push_back(it->second);
        continue;
      }
      out[keyText(it->first)] = convert(it->second, depth + 1);
    }
    // Merge keys (YAML 1.1 `<<: *base`): explicit keys win, earlier merged maps
    // win over later ones.
    for (const YAML::Node& merge : merges) {
      if (merge.IsMap()) {
        mergeInto(out, convert(merge, depth + 1));
      } else if (merge.IsSequence()) {
        for (const auto& item : merge) {
          if (!item.IsMap()) fail(lineOf(item) + "map merge requires a map or a sequence of maps");
          mergeInto(out, convert(item, depth + 1));
        }
      } else {
        fail(lineOf(merge) + "map merge requires a map or a sequence of maps");
      }
    }
    return out;
  }

  static void mergeInto(Json& out, Json merged) {
    for (auto& [key, value] : merged.items()) {
      if (!out.contains(key)) out[key] = std::move(value);
    }
  }

  ConversionBudget& budget_;
};

}  // namespace

base::Result<Json> toJson(const YAML::Node& node, ConversionBudget& budget) {
  try {
    Converter converter(budget);
    return converter.convert(node, 0);
  } catch (const ConversionFailure& failure) {
    return makeError(ErrorCode::kInvalidArgument, failure.message);
  } catch (const YAML::Exception& e) {
    return makeError(ErrorCode::kInvalidArgument, std::string("YAML error: ") + e.what());
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kInvalidArgument, std::string("YAML conversion failed: ") + e.what());
  }
}

}  // namespace daemonlet::model::yaml
