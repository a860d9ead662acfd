#include "runtime/cri/registry_credentials.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/cri/image_reference.h"

namespace daemonlet::runtime::cri {
namespace {

// Docker Hub's legacy names as config.json keys spell them.
bool isDockerHubHost(const std::string& host) { return host == "index.docker.io" || host == "registry-1.docker.io"; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Standard base64 with padding, as Docker writes the "auth" field.
bool decodeBase64(const std::string& in, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = value(c)) < 0) {
        return false;
      }
    }
    const unsigned triple = (unsigned(v[0]) << 18) | (unsigned(v[1]) << 12) | (unsigned(v[2]) << 6) | unsigned(v[3]);
    out += static_cast<char>((triple >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((triple >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(triple & 0xff);
  }
  return true;
}

// A config.json key ("https://index.docker.io/v1/", "quay.io/team",
// "localhost:5000") as the keyring stores it: host (lower case, port kept) and
// path without /v1/ or /v2/ and without surrounding slashes.
void splitKey(const std::string& key, std::string& host, std::string& path) {
  std::string rest = key;
  for (const char* scheme : {"https://", "http://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::strlen(scheme));
  }
  const auto slash = rest.find('/');
  host = lower(rest.substr(0, slash));
  path = slash == std::string::npos ? "" : rest.substr(slash);
  for (const char* version : {"/v1/", "/v2/"}) {
    if (path.rfind(version, 0) == 0) path = path.substr(3);
  }
  while (!path.empty() && path.front() == '/') path.erase(path.begin());
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (isDockerHubHost(host)) host = std::string(kDockerHubDomain);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto next = s.find(sep, start);
    out.push_back(s.substr(start, next == std::string::npos ? next : next - start));
    if (next == std::string::npos) return out;
    start = next + 1;
  }
}

// Host labels matched one by one, each may be a glob ("*.example.com"); the
// ports must be equal.
bool hostMatches(const std::string& pattern, const std::string& host) {
  auto splitPort = [](const std::string& h, std::string& name, std::string& port) {
    const auto colon = h.rfind(':');
    const bool bracketed = !h.empty() && h.front() == '[';
    if (colon != std::string::npos && (!bracketed || h.find(']') < colon)) {
      name = h.substr(0, colon);
      port = h.substr(colon + 1);
    } else {
      name = h;
      port.clear();
    }
  };
  std::string patternName, patternPort, hostName, hostPort;
  splitPort(pattern, patternName, patternPort);
  splitPort(host, hostName, hostPort);
  if (patternPort != hostPort) return false;
  const auto patternLabels = split(patternName, '.');
  const auto hostLabels = split(hostName, '.');
  if (patternLabels.size() != hostLabels.size()) return false;
  for (std::size_t i = 0; i < hostLabels.size(); ++i) {
    if (fnmatch(patternLabels[i].c_str(), hostLabels[i].c_str(), 0) != 0) return false;
  }
  return true;
}

base::Error malformed(const std::string& message, const std::string& context = {}) {
  return base::makeError(base::ErrorCode::kInvalidArgument, message, context);
}

}  // namespace

base::Result<RegistryCredentials> RegistryCredentials::parse(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return malformed("not a JSON object");
  RegistryCredentials credentials;
  auto auths = doc.find("auths");
  if (auths == doc.end() || auths->is_null()) return credentials;
  if (!auths->is_object()) return malformed("must be an object", "auths");
  for (const auto& [key, value] : auths->items()) {
    const std::string where = "auths[\"" + key + "\"]";
    if (!value.is_object()) return malformed("must be an object", where);
    Entry entry;
    splitKey(key, entry.host, entry.path);
    if (entry.host.empty()) return malformed("no registry host in the key", where);
    for (const auto& [field, target] : {std::pair<const char*, std::string*>{"username", &entry.auth.username},
                                        {"password", &entry.auth.password},
                                        {"auth", &entry.auth.auth},
                                        {"identitytoken", &entry.auth.identityToken}}) {
      auto it = value.find(field);
      if (it == value.end() || it->is_null()) continue;
      if (!it->is_string()) return malformed("must be a string", where + "." + field);
      *target = it->get<std::string>();
    }
    if (!entry.auth.auth.empty()) {
      std::string decoded;
      const auto colon = decodeBase64(entry.auth.auth, decoded) ? decoded.find(':') : std::string::npos;
      if (colon == std::string::npos) {
        return malformed("unable to parse auth field, must be formatted as base64(username:password)",
                         where + ".auth");
      }
      entry.auth.username = decoded.substr(0, colon);
      entry.auth.password = decoded.substr(colon + 1);
    }
    credentials.entries_.push_back(std::move(entry));
  }
  // Most specific first: reverse order of host+path, as the kubelet's index.
  std::stable_sort(credentials.entries_.begin(), credentials.entries_.end(), [](const Entry& a, const Entry& b) {
    return a.host + "/" + a.path > b.host + "/" + b.path;
  });
  return credentials;
}

base::Result<RegistryCredentials> RegistryCredentials::load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return RegistryCredentials{};
  std::ifstream in(path);
  if (!in) return base::makeError(base::ErrorCode::kIo, "cannot read registry credentials", path);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse(text.str());
  if (!parsed) {
    base::Error error = parsed.error();
    error.context = path + (error.context.empty() ? "" : ": " + error.context);
    return error;
  }
  return parsed;
}

std::vector<RegistryAuth> RegistryCredentials::lookup(const ImageReference& image) const {
  std::vector<RegistryAuth> out;
  for (const Entry& entry : entries_) {
    if (!hostMatches(entry.host, lower(image.domain))) continue;
    // A plain string prefix, as the kubelet compares paths.
    if (image.path.compare(0, entry.path.size(), entry.path) != 0) continue;
    out.push_back(entry.auth);
  }
  return out;
}

}  // namespace daemonlet::runtime::cri
