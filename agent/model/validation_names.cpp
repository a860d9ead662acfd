// apimachinery's util/validation string checks (IsDNS1123Label, IsQualifiedName,
// IsValidLabelValue, ...) with their exact messages: the names of manifests, of
// the agent's configuration and of node-affinity requirements all use these. Hand-written matchers stand
// in for the Go regular expressions quoted in the messages.
#include <string>

#include "agent/model/validation_internal.h"
#include "agent/model/validation_names.h"
#include "agent/model/ascii_class.h"

namespace daemonlet::model {
namespace {

using Messages = std::vector<std::string>;


// RegexError from apimachinery: examples are joined with " or " after a ", ".
std::string regexError(const std::string& msg, const std::string& fmt, std::initializer_list<const char*> examples) {
  std::string out = msg;
  if (examples.size() == 0) return out + " (regex used for validation is '" + fmt + "')";
  out += " (e.g. ";
  bool first = true;
  for (const char* e : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(e) + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}
std::string maxLenError(std::size_t n) { return "must be no more than " + std::to_string(n) + " characters"; }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matchesDns1123Label(std::string_view v) {
  if (v.empty() || !isAsciiLowerAlnum(v.front()) || !isAsciiLowerAlnum(v.back())) return false;
  for (char c : v)
    if (!isAsciiLowerAlnum(c) && c != '-') return false;
  return true;
}
bool matchesDns1123Subdomain(std::string_view v) {
  std::size_t start = 0;
  while (true) {
    std::size_t dot = v.find('.', start);
    std::string_view part = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!matchesDns1123Label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}
// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchesQualifiedNamePart(std::string_view v) {
  if (v.empty() || !isAsciiAlnum(v.front()) || !isAsciiAlnum(v.back())) return false;
  for (char c : v)
    if (!isAsciiAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

const char* const kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character";
const char* const kLabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* const kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character";
const char* const kSubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* const kQualifiedMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const char* const kQualifiedFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

}  // namespace

Messages isDns1123Label(std::string_view v) {
  Messages errs;
  if (v.size() > 63) errs.push_back(maxLenError(63));
  if (!matchesDns1123Label(v)) errs.push_back(regexError(kLabelMsg, kLabelFmt, {"my-name", "123-abc"}));
  return errs;
}

Messages isDns1123Subdomain(std::string_view v) {
  Messages errs;
  if (v.size() > 253) errs.push_back(maxLenError(253));
  if (!matchesDns1123Subdomain(v)) errs.push_back(regexError(kSubdomainMsg, kSubdomainFmt, {"example.com"}));
  return errs;
}

Messages isQualifiedName(std::string_view v) {
  Messages errs;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = v.find('/', start);
    parts.push_back(v.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string_view name;
  if (parts.size() == 1) {
    name = parts[0];
  } else if (parts.size() == 2) {
    std::string_view prefix = parts[0];
    name = parts[1];
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& m : isDns1123Subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  } else {
    errs.push_back("a qualified name " + regexError(kQualifiedMsg, kQualifiedFmt, {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + maxLenError(63));
  }
  if (!matchesQualifiedNamePart(name))
    errs.push_back("name part " + regexError(kQualifiedMsg, kQualifiedFmt, {"MyName", "my.name", "123-abc"}));
  return errs;
}

Messages isValidLabelValue(std::string_view v) {
  Messages errs;
  if (v.size() > 63) errs.push_back(maxLenError(63));
  if (!v.empty() && !matchesQualifiedNamePart(v))
    errs.push_back(regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character",
        "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", {"MyValue", "my_value", "12345"}));
  return errs;
}

namespace validation_detail {

Messages nameIsDnsSubdomain(std::string_view v, bool prefix) {
  std::string name(v);
  if (prefix && name.size() > 1 && name.back() == '-') name.back() = 'a';  // maskTrailingDash
  return isDns1123Subdomain(name);
}

Messages isValidPortName(std::string_view v) {
  Messages errs;
  if (v.size() > 15) errs.push_back(maxLenError(15));
  bool onlyAllowed = !v.empty(), hasLetter = false;
  for (char c : v) {
    if (!isAsciiLowerAlnum(c) && c != '-') onlyAllowed = false;
    if (c >= 'a' && c <= 'z') hasLetter = true;
  }
  if (!onlyAllowed) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!hasLetter) errs.push_back("must contain at least one letter (a-z)");
  if (v.find("--") != std::string_view::npos) errs.push_back("must not contain consecutive hyphens");
  if (!v.empty() && (v.front() == '-' || v.back() == '-')) errs.push_back("must not begin or end with a hyphen");
  return errs;
}

Messages isValidPortNum(std::int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {"must be between 1 and 65535, inclusive"};
}

Messages isValidPercent(std::string_view v) {
  bool ok = v.size() >= 2 && v.back() == '%';
  for (std::size_t i = 0; ok && i + 1 < v.size(); ++i) ok = v[i] >= '0' && v[i] <= '9';
  if (ok) return {};
  return {regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%",
                     {"1%", "93%"})};
}

Messages isConfigMapKey(std::string_view v) {
  Messages errs;
  if (v.size() > 253) errs.push_back(maxLenError(253));
  bool ok = !v.empty();
  for (char c : v)
    if (!isAsciiAlnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  if (!ok)
    errs.push_back(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                              "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  if (v == ".") errs.push_back("must not be '.'");
  else if (v == "..") errs.push_back("must not be '..'");
  else if (v.substr(0, 2) == "..") errs.push_back("must not start with '..'");
  return errs;
}

Messages isRelaxedEnvVarName(std::string_view v) {
  Messages errs;
  if (v.empty()) errs.push_back("environment variable name must be non-empty");
  for (unsigned char c : v) {
    if (c < 0x20 || c > 0x7e || c == '=') {
      errs.push_back("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

Messages isValidUserOrGroupId(std::int64_t id) {
  if (id >= 0 && id <= 2147483647) return {};
  return {"must be between 0 and 2147483647, inclusive"};
}

Messages isHttpHeaderName(std::string_view v) {
  bool ok = !v.empty();
  for (char c : v)
    if (!isAsciiAlnum(c) && c != '-') ok = false;
  if (ok) return {};
  return {regexError("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+",
                     {"X-Header-Name"})};
}

}  // namespace validation_detail
}  // namespace daemonlet::model
