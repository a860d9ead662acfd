#include "config/k8s_names.h"

namespace daemonlet::config {
namespace {

constexpr std::size_t kNameMaxLength = 63;
constexpr std::size_t kSubdomainMaxLength = 253;

bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], non-empty.
bool matchesNameAlphabet(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  for (char c : s) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// One RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool isDns1123Label(std::string_view s) {
  if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!isLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

const char* const kNameAlphabet =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')";

}  // namespace

std::vector<std::string> dns1123SubdomainErrors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kSubdomainMaxLength) errors.push_back("must be no more than 253 characters");
  bool valid = !value.empty();
  std::string_view rest = value;
  while (valid) {
    const std::size_t dot = rest.find('.');
    valid = isDns1123Label(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (!valid) {
    errors.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        "and must start and end with an alphanumeric character (e.g. 'example.com')");
  }
  return errors;
}

std::vector<std::string> qualifiedNameErrors(std::string_view value) {
  std::vector<std::string> errors;
  std::string_view name = value;
  const std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errors.push_back(std::string("a qualified name ") + kNameAlphabet +
                       ", with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errors;
    }
    const std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errors.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& e : dns1123SubdomainErrors(prefix)) errors.push_back("prefix part " + e);
    }
  }
  if (name.empty()) {
    errors.push_back("name part must be non-empty");
  } else {
    if (name.size() > kNameMaxLength) errors.push_back("name part must be no more than 63 characters");
    if (!matchesNameAlphabet(name)) errors.push_back(std::string("name part ") + kNameAlphabet);
  }
  return errors;
}

std::vector<std::string> labelValueErrors(std::string_view value) {
  std::vector<std::string> errors;
  if (value.size() > kNameMaxLength) errors.push_back("must be no more than 63 characters");
  if (!value.empty() && !matchesNameAlphabet(value)) {
    errors.push_back(std::string("a valid label value must be empty or ") + kNameAlphabet);
  }
  return errors;
}

}  // namespace daemonlet::config
