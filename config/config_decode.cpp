#include "config/config_decode.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "config/go_duration.h"

namespace daemonlet::config {
namespace {

const model::Json* find(const model::Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

class Decoder {
 public:
  Decoder(const LayeredConfig& layers, const std::filesystem::path& workingDirectory, DecodedConfig& out)
      : layers_(layers), workingDirectory_(workingDirectory), out_(out) {}

  void string(const model::Json& parent, std::string_view key, std::string& target) {
    if (const model::Json* v = find(parent, key)) target = v->get<std::string>();
  }

  // Directories: required, absolute after resolving against the setting layer.
  void directory(const model::Json& parent, const FieldPath& path, std::string_view key,
                 std::string& target) {
    const FieldPath field = path.child(key);
    const model::Json* v = find(parent, key);
    if (v == nullptr) return;  // default, already absolute
    std::string text = v->get<std::string>();
    if (text.empty()) {
      problem(field, requiredValue());
      return;
    }
    target = absolute(field, text);
  }

  // Optional files (certificates, tokens): empty means unset; a relative path is
  // taken like the directories' (the setting file's directory, or the cwd for flags).
  void file(const model::Json& parent, const FieldPath& path, std::string_view key, std::string& target) {
    const model::Json* v = find(parent, key);
    if (v == nullptr) return;
    const std::string text = v->get<std::string>();
    target = text.empty() ? std::string() : absolute(path.child(key), text);
  }

  void quantity(const model::Json& parent, const FieldPath& path, std::string_view key, model::Quantity& target) {
    const model::Json* v = find(parent, key);
    if (v == nullptr) return;
    const std::string text = v->is_string() ? v->get<std::string>() : v->dump();
    if (auto q = model::Quantity::parse(text)) {
      target = std::move(*q);
    } else {
      problem(path.child(key),
              invalidValue(text, "not a quantity (e.g. 10Mi, 500Ki, 1G; binary suffixes Ki, Mi, Gi)"));
    }
  }

  void duration(const model::Json& parent, const FieldPath& path, std::string_view key,
                std::chrono::nanoseconds& target) {
    const model::Json* v = find(parent, key);
    if (v == nullptr) return;
    const std::string text = v->get<std::string>();
    std::string why;
    if (const auto parsed = parseGoDuration(text, &why)) {
      target = *parsed;
    } else {
      problem(path.child(key), invalidValue(text, why));
    }
  }

  void problem(FieldPath field, std::string message) {
    out_.problems.push_back({std::move(field), std::move(message)});
  }
  void warning(FieldPath field, std::string message) {
    out_.warnings.push_back({std::move(field), std::move(message)});
  }

  std::string absolute(const FieldPath& field, const std::string& text) {
    std::filesystem::path p(text);
    if (p.is_relative()) {
      const Origin* origin = layers_.originOf(field);
      p = (origin != nullptr ? origin->baseDir : workingDirectory_) / p;
    }
    std::string normal = p.lexically_normal().string();
    if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    return normal;
  }

 private:
  const LayeredConfig& layers_;
  const std::filesystem::path& workingDirectory_;
  DecodedConfig& out_;
};

void decodeNode(const model::Json& root, Decoder& d, const HostFacts& host, DecodedConfig& out) {
  const FieldPath path = FieldPath().child("node");
  const model::Json* node = find(root, "node");
  NodeConfig& target = out.config.node;
  if (node != nullptr) {
    d.string(*node, "name", target.name);
    if (const model::Json* labels = find(*node, "labels")) {
      for (const auto& [key, value] : labels->items()) target.labels[key] = value.get<std::string>();
    }
    if (const model::Json* taints = find(*node, "taints")) {
      for (const model::Json& item : *taints) {
        model::Taint taint;
        if (const model::Json* v = find(item, "key")) taint.key = v->get<std::string>();
        if (const model::Json* v = find(item, "value")) taint.value = v->get<std::string>();
        if (const model::Json* v = find(item, "effect")) taint.effect = v->get<std::string>();
        target.taints.push_back(std::move(taint));
      }
    }
  }
  if (target.name.empty()) {
    target.name = nodeNameFromHostname(host.hostname);
    out.nodeNameFromHostname = true;
  }
}

void decodeListen(const model::Json& root, Decoder& d, DecodedConfig& out) {
  const model::Json* v = find(root, "listen");
  if (v == nullptr) return;
  const FieldPath field = FieldPath().child("listen");
  const std::string text = v->get<std::string>();
  std::string why;
  auto parsed = parseListenAddress(text, &why);
  if (!parsed) {
    d.problem(field, invalidValue(text, why));
    return;
  }
  if (parsed->isUnixSocket()) {
    parsed->unixSocketPath = d.absolute(field, parsed->unixSocketPath);
  } else if (!isLoopback(*parsed)) {
    d.warning(field, "\"" + text +
                         "\" is not a loopback address: the status API is reachable from the network "
                         "(mutating calls still need the token)");
  }
  out.config.listen = std::move(*parsed);
}

template <typename Enum>
void decodeChoice(const model::Json& parent, Decoder& d, const FieldPath& path, std::string_view key,
                  const std::vector<std::pair<std::string_view, Enum>>& choices, Enum& target) {
  const model::Json* v = find(parent, key);
  if (v == nullptr) return;
  const std::string text = v->get<std::string>();
  std::vector<std::string_view> names;
  for (const auto& [name, value] : choices) {
    if (name == text) {
      target = value;
      return;
    }
    names.push_back(name);
  }
  d.problem(path.child(key), unsupportedValue(text, names));
}

// A bare absolute path is taken as the unix socket it names, as crictl and the
// kubelet accept it; anything else is left for validation to name.
void decodeCri(const model::Json& root, Decoder& d, CriConfig& target) {
  const model::Json* cri = find(root, "cri");
  if (cri == nullptr) return;
  const FieldPath path = FieldPath().child("cri");
  d.string(*cri, "endpoint", target.endpoint);
  if (const model::Json* v = find(*cri, "loadAtStart")) target.loadAtStart = v->get<bool>();
  if (target.endpoint.starts_with("/")) target.endpoint = "unix://" + target.endpoint;
  d.file(*cri, path, "registryCredentialsFile", target.registryCredentialsFile);
}

void decodeBackoff(const model::Json& root, Decoder& d, RestartBackoff& target) {
  const model::Json* backoff = find(root, "restartBackoff");
  if (backoff == nullptr) return;
  const FieldPath path = FieldPath().child("restartBackoff");
  d.duration(*backoff, path, "initial", target.initial);
  d.duration(*backoff, path, "max", target.max);
  d.duration(*backoff, path, "resetAfter", target.resetAfter);
  if (const model::Json* v = find(*backoff, "multiplier")) target.multiplier = v->get<double>();
}

void decodeContainerLogs(const model::Json& root, Decoder& d, ContainerLogRotation& target) {
  const model::Json* logs = find(root, "containerLogs");
  if (logs == nullptr) return;
  const FieldPath path = FieldPath().child("containerLogs");
  if (const model::Json* v = find(*logs, "maxSize")) {
    const std::string text = v->is_string() ? v->get<std::string>() : v->dump();
    if (auto q = model::Quantity::parse(text)) {
      target.maxSize = std::move(*q);
    } else {
      d.problem(path.child("maxSize"),
                invalidValue(text, "not a quantity (e.g. 10Mi, 500Ki, 1G; binary suffixes Ki, Mi, Gi)"));
    }
  }
  if (const model::Json* v = find(*logs, "maxFiles")) {
    constexpr std::int64_t kMin = std::numeric_limits<std::int32_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
    const bool fits =
        !v->is_number_unsigned() && v->get<std::int64_t>() >= kMin && v->get<std::int64_t>() <= kMax;
    if (fits) {
      target.maxFiles = static_cast<std::int32_t>(v->get<std::int64_t>());
    } else {
      d.problem(path.child("maxFiles"), invalidValue(v->dump(), "must be at least 2 and fit in 32 bits"));
    }
  }
}

// Plain http is allowed (a lab, a fixture) but said out loud once.
void warnPlainHttp(Decoder& d, const FieldPath& field, const std::string& url) {
  if (url.starts_with("http://")) {
    d.warning(field, "plain http: manifests and credentials travel unencrypted (" + url + ")");
  }
}

void decodeEndpoint(const model::Json& root, Decoder& d, EndpointConfig& target) {
  const model::Json* endpoint = find(root, "endpoint");
  if (endpoint == nullptr) return;
  const FieldPath path = FieldPath().child("endpoint");
  d.string(*endpoint, "url", target.url);
  warnPlainHttp(d, path.child("url"), target.url);
  decodeChoice<EndpointMode>(*endpoint, d, path, "mode",
                             {{"http", EndpointMode::kHttp}, {"kubernetes", EndpointMode::kKubernetes}},
                             target.mode);
  d.duration(*endpoint, path, "pollInterval", target.pollInterval);
  if (const model::Json* v = find(*endpoint, "pollJitter")) target.pollJitter = v->get<double>();
  d.duration(*endpoint, path, "connectTimeout", target.connectTimeout);
  d.duration(*endpoint, path, "requestTimeout", target.requestTimeout);
  d.quantity(*endpoint, path, "maxBodySize", target.maxBodySize);
  if (const model::Json* backoff = find(*endpoint, "backoff")) {
    d.duration(*backoff, path.child("backoff"), "initial", target.backoffInitial);
    d.duration(*backoff, path.child("backoff"), "max", target.backoffMax);
  }
  if (const model::Json* tls = find(*endpoint, "tls")) {
    const FieldPath tlsPath = path.child("tls");
    d.file(*tls, tlsPath, "caFile", target.tls.caFile);
    d.file(*tls, tlsPath, "certFile", target.tls.certFile);
    d.file(*tls, tlsPath, "keyFile", target.tls.keyFile);
    d.string(*tls, "pinnedPublicKey", target.tls.pinnedPublicKey);
  }
  d.file(*endpoint, path, "bearerTokenFile", target.bearerTokenFile);
  if (const model::Json* kube = find(*endpoint, "kubernetes")) {
    d.string(*kube, "namespace", target.kubernetes.namespace_);
    d.string(*kube, "labelSelector", target.kubernetes.labelSelector);
    if (const model::Json* v = find(*kube, "followNode")) target.kubernetes.followNode = v->get<bool>();
  }
}

void decodeReports(const model::Json& root, Decoder& d, ReportsConfig& target) {
  const model::Json* reports = find(root, "reports");
  if (reports == nullptr) return;
  const FieldPath path = FieldPath().child("reports");
  d.string(*reports, "url", target.url);
  warnPlainHttp(d, path.child("url"), target.url);
  d.duration(*reports, path, "interval", target.interval);
  d.duration(*reports, path, "debounce", target.debounce);
}

}  // namespace

std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string* why) {
  auto fail = [why](std::string message) -> std::optional<ListenAddress> {
    if (why != nullptr) *why = std::move(message);
    return std::nullopt;
  };
  ListenAddress address;
  if (text.starts_with("unix://")) {
    const std::string_view path = text.substr(7);
    if (path.empty()) return fail("a unix socket address needs a path: unix:///run/daemonlet/api.sock");
    address.host.clear();
    address.port = 0;
    address.unixSocketPath = std::string(path);
    return address;
  }
  std::string_view host;
  std::string_view port;
  if (text.starts_with("[")) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("expected [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    in6_addr v6{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &v6) != 1)
      return fail("not an IPv6 address inside [ ]");
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return fail("expected HOST:PORT (e.g. 127.0.0.1:10290) or unix:///PATH");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return fail("an IPv6 address needs brackets: [::1]:10290");
    if (host.empty())
      return fail("the host must be given (e.g. 127.0.0.1:10290); it is never all interfaces by default");
    in_addr v4{};
    if (host != "localhost" && inet_pton(AF_INET, std::string(host).c_str(), &v4) != 1) {
      return fail("the host must be an IP address or localhost (names are not resolved)");
    }
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return fail("the port must be a number from 0 to 65535");
  }
  address.host = std::string(host);
  address.port = static_cast<std::uint16_t>(value);
  return address;
}

bool isLoopback(const ListenAddress& address) {
  if (address.isUnixSocket() || address.host == "localhost" || address.host == "::1") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, address.host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.host.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    return std::memcmp(&v6, &kLoopback, sizeof v6) == 0;
  }
  return false;
}

std::string ListenAddress::text() const {
  if (isUnixSocket()) return "unix://" + unixSocketPath;
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string_view endpointModeName(EndpointMode mode) {
  return mode == EndpointMode::kKubernetes ? "kubernetes" : "http";
}

model::Quantity EndpointConfig::defaultMaxBodySize() {
  static const model::Quantity kDefault = *model::Quantity::parse("16Mi");
  return kDefault;
}

bool EndpointConfig::operator==(const EndpointConfig& o) const {
  return url == o.url && mode == o.mode && pollInterval == o.pollInterval && pollJitter == o.pollJitter &&
         connectTimeout == o.connectTimeout && requestTimeout == o.requestTimeout &&
         maxBodyBytes() == o.maxBodyBytes() && backoffInitial == o.backoffInitial &&
         backoffMax == o.backoffMax && tls == o.tls && bearerTokenFile == o.bearerTokenFile &&
         kubernetes == o.kubernetes;
}

model::Quantity ContainerLogRotation::defaultMaxSize() {
  static const model::Quantity kDefault = *model::Quantity::parse("10Mi");
  return kDefault;
}

DecodedConfig decodeAgentConfig(const LayeredConfig& layers, const HostFacts& host,
                                const std::filesystem::path& workingDirectory) {
  DecodedConfig out;
  Decoder d(layers, workingDirectory, out);
  const model::Json& root = layers.merged();
  const FieldPath top;
  AgentConfig& c = out.config;

  decodeNode(root, d, host, out);
  d.directory(root, top, "manifestDir", c.manifestDir);
  d.directory(root, top, "stateDir", c.stateDir);
  d.directory(root, top, "logDir", c.logDir);
  d.directory(root, top, "runDir", c.runDir);
  decodeListen(root, d, out);
  decodeCri(root, d, c.cri);
  d.string(root, "cgroupRoot", c.cgroupRoot);
  decodeBackoff(root, d, c.restartBackoff);
  decodeContainerLogs(root, d, c.containerLogs);
  d.duration(root, top, "resyncPeriod", c.resyncPeriod);
  decodeChoice<base::LogLevel>(root, d, top, "logLevel",
                               {{"debug", base::LogLevel::kDebug},
                                {"info", base::LogLevel::kInfo},
                                {"warning", base::LogLevel::kWarning},
                                {"error", base::LogLevel::kError}},
                               c.logLevel);
  decodeEndpoint(root, d, c.endpoint);
  decodeReports(root, d, c.reports);
  return out;
}

}  // namespace daemonlet::config
