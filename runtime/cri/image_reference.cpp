#include "runtime/cri/image_reference.h"

#include <algorithm>
#include <string_view>

#include "agent/model/defaults_internal.h"

namespace daemonlet::runtime::cri {
namespace {

constexpr std::size_t kMaxNameLength = 255;  // distribution/reference NameTotalLengthMax
constexpr std::size_t kMaxTagLength = 128;

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool hasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// [a-z0-9]+ joined by "." , "_", "__" or runs of "-".
bool validPathComponent(std::string_view s) {
  if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) return false;
  for (std::size_t i = 0; i < s.size();) {
    if (isLowerAlnum(s[i])) {
      ++i;
      continue;
    }
    std::size_t run = i;
    while (run < s.size() && !isLowerAlnum(s[run])) ++run;
    std::string_view sep = s.substr(i, run - i);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = run;
  }
  return true;
}

// A DNS-ish host label: alphanumerics with inner dashes.
bool validDomainLabel(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isAlnum(c) || c == '-'; });
}

bool validDomain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // IPv6 literal
    auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    std::string_view ip = host.substr(1, close - 1);
    if (!std::all_of(ip.begin(), ip.end(), [](char c) { return isHex(c) || c == ':'; })) return false;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    if (auto colon = host.find(':'); colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      if (port.empty()) return false;
    }
    std::size_t start = 0;
    while (true) {
      auto dot = host.find('.', start);
      if (!validDomainLabel(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool validTag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength) return false;
  auto word = [](char c) { return isAlnum(c) || c == '_'; };
  if (!word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

// algorithm ":" hex, sha256 with exactly 64 lowercase hex digits as containerd requires.
std::string digestProblem(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0) return "invalid checksum digest format";
  std::string_view algorithm = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  if (!std::all_of(algorithm.begin(), algorithm.end(),
                   [](char c) { return isAlnum(c) || c == '+' || c == '.' || c == '_' || c == '-'; })) {
    return "invalid checksum digest format";
  }
  if (hex.size() < 32 || !std::all_of(hex.begin(), hex.end(), isHex)) return "invalid checksum digest format";
  if (algorithm == "sha256" && (hex.size() != 64 || hasUpper(hex))) return "invalid checksum digest length";
  if (algorithm != "sha256" && algorithm != "sha384" && algorithm != "sha512") {
    return "unsupported digest algorithm";
  }
  return {};
}

bool isHexIdentifier(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return isHex(c) && !(c >= 'A' && c <= 'F'); });
}

base::Error invalidImageName(const std::string& image, const std::string& why) {
  return base::makeError(base::ErrorCode::kInvalidArgument,
                         "Failed to apply default image tag \"" + image + "\": couldn't parse image name \"" + image +
                             "\": " + why);
}

}  // namespace

std::string ImageReference::repository() const { return domain + "/" + path; }

std::string ImageReference::normalized() const {
  std::string out = repository();
  if (!tag.empty()) {
    out += ":" + tag;
  } else if (digest.empty()) {
    out += ":latest";
  }
  if (!digest.empty()) out += "@" + digest;
  return out;
}

base::Result<ImageReference> parseImageReference(const std::string& image) {
  if (image.empty()) return invalidImageName(image, "repository name must have at least one component");
  if (isHexIdentifier(image)) {
    return invalidImageName(image, "invalid repository name (" + image + "), cannot specify 64-byte hexadecimal strings");
  }
  ImageReference ref;
  std::string_view rest = image;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    std::string problem = digestProblem(rest.substr(at + 1));
    if (!problem.empty()) return invalidImageName(image, problem);
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  const auto slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!validTag(tag)) return invalidImageName(image, "invalid reference format: invalid tag \"" + std::string(tag) + "\"");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return invalidImageName(image, "invalid reference format: repository name must have at least one component");
  if (rest.size() > kMaxNameLength) {
    return invalidImageName(image, "invalid reference format: repository name must not be more than 255 characters");
  }
  // splitDockerDomain: the first component is a registry when it has a "." or
  // ":", is "localhost", or has upper case (which a path may not).
  std::string_view remainder = rest;
  ref.domain = std::string(kDockerHubDomain);
  if (auto first = rest.find('/'); first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost" || hasUpper(head)) {
      if (!validDomain(head)) {
        return invalidImageName(image, "invalid reference format: invalid registry host \"" + std::string(head) + "\"");
      }
      ref.domain = std::string(head);
      remainder = rest.substr(first + 1);
    }
  }
  if (ref.domain == "index.docker.io") ref.domain = std::string(kDockerHubDomain);
  if (hasUpper(remainder)) return invalidImageName(image, "invalid reference format: repository name must be lowercase");
  std::size_t start = 0;
  while (true) {
    auto next = remainder.find('/', start);
    std::string_view component = remainder.substr(start, next == std::string_view::npos ? next : next - start);
    if (!validPathComponent(component)) {
      return invalidImageName(image, "invalid reference format: invalid path component \"" + std::string(component) + "\"");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  ref.path = std::string(remainder);
  if (ref.domain == kDockerHubDomain && ref.path.find('/') == std::string::npos) ref.path = "library/" + ref.path;
  return ref;
}

PullPolicy pullPolicyOf(const model::Container& container) {
  // The API server defaults the field (model/defaults.h); one home for that rule.
  const std::string policy = container.imagePullPolicy.empty()
                                 ? model::defaults_detail::defaultPullPolicy(container.image)
                                 : container.imagePullPolicy;
  if (policy == "Always") return PullPolicy::kAlways;
  if (policy == "Never") return PullPolicy::kNever;
  return PullPolicy::kIfNotPresent;
}

const char* pullPolicyName(PullPolicy policy) {
  switch (policy) {
    case PullPolicy::kAlways: return "Always";
    case PullPolicy::kIfNotPresent: return "IfNotPresent";
    case PullPolicy::kNever: return "Never";
  }
  return "IfNotPresent";
}

PullDecision pullDecision(PullPolicy policy, bool imagePresent) {
  switch (policy) {
    case PullPolicy::kAlways: return PullDecision::kPull;
    case PullPolicy::kIfNotPresent: return imagePresent ? PullDecision::kUsePresent : PullDecision::kPull;
    case PullPolicy::kNever: return imagePresent ? PullDecision::kUsePresent : PullDecision::kNeverPullMissing;
  }
  return PullDecision::kPull;
}

}  // namespace daemonlet::runtime::cri
