#include "config/config_validation.h"

#include <cmath>
#include <set>
#include <sstream>
#include <utility>

#include "agent/model/validation_names.h"
#include "config/go_duration.h"

namespace daemonlet::config {
namespace {

constexpr std::size_t kLabelValueMaxLength = 63;

void addAll(FieldProblems& out, const FieldPath& field, std::string_view badValue,
            const std::vector<std::string>& reasons) {
  for (const std::string& reason : reasons) out.push_back({field, invalidValue(badValue, reason)});
}

void validateNode(const NodeConfig& node, FieldProblems& out) {
  const FieldPath path = FieldPath().child("node");
  const FieldPath namePath = path.child("name");
  if (node.name.empty()) {
    out.push_back({namePath, requiredValue()});
  } else {
    addAll(out, namePath, node.name, model::isDns1123Subdomain(node.name));
    // The name is also the kubernetes.io/hostname label's value.
    if (node.name.size() > kLabelValueMaxLength) {
      out.push_back({namePath, invalidValue(node.name,
                                            "must be no more than 63 characters, since it is also "
                                            "the value of the kubernetes.io/hostname label")});
    }
  }

  const FieldPath labelsPath = path.child("labels");
  for (const auto& [key, value] : node.labels) {
    const FieldPath labelPath = labelsPath.key(key);
    addAll(out, labelPath, key, model::isQualifiedName(key));
    addAll(out, labelPath, value, model::isValidLabelValue(value));
  }

  const FieldPath taintsPath = path.child("taints");
  std::set<std::pair<std::string, std::string>> seen;  // (key, effect): unique, as Kubernetes requires
  for (std::size_t i = 0; i < node.taints.size(); ++i) {
    const model::Taint& taint = node.taints[i];
    const FieldPath at = taintsPath.index(i);
    if (taint.key.empty()) {
      out.push_back({at.child("key"), requiredValue()});
    } else {
      addAll(out, at.child("key"), taint.key, model::isQualifiedName(taint.key));
    }
    addAll(out, at.child("value"), taint.value, model::isValidLabelValue(taint.value));
    if (taint.effect.empty()) {
      out.push_back({at.child("effect"), requiredValue()});
    } else if (taint.effect != "NoSchedule" && taint.effect != "PreferNoSchedule" &&
               taint.effect != "NoExecute") {
      out.push_back({at.child("effect"),
                     unsupportedValue(taint.effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"})});
    }
    if (!seen.emplace(taint.key, taint.effect).second) {
      out.push_back(
          {at, duplicateValue(taint.key + ":" + taint.effect) + ": taints must be unique by key and effect"});
    }
  }
}

void validateBackoff(const RestartBackoff& b, FieldProblems& out) {
  const FieldPath path = FieldPath().child("restartBackoff");
  const auto nonNegative = [&](std::string_view name, std::chrono::nanoseconds value) {
    if (value.count() < 0)
      out.push_back({path.child(name), invalidValue(formatGoDuration(value), "must not be negative")});
  };
  nonNegative("initial", b.initial);
  nonNegative("max", b.max);
  nonNegative("resetAfter", b.resetAfter);
  if (b.max < b.initial) {
    out.push_back({path.child("max"),
                   invalidValue(formatGoDuration(b.max), "must not be less than restartBackoff.initial (" +
                                                             formatGoDuration(b.initial) + ")")});
  }
  if (!std::isfinite(b.multiplier) || b.multiplier < 1.0) {
    std::ostringstream shown;  // "0.5", not std::to_string's "0.500000"
    shown << b.multiplier;
    out.push_back(
        {path.child("multiplier"), invalidValue(shown.str(), "must be a finite number of at least 1")});
  }
}

bool hasDotSegment(const std::string& path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

bool isHttpUrl(const std::string& url) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (url.size() > scheme.size() && url.starts_with(scheme)) return true;
  }
  return false;
}

void positive(FieldProblems& out, const FieldPath& field, std::chrono::nanoseconds value) {
  if (value.count() <= 0) out.push_back({field, invalidValue(formatGoDuration(value), "must be greater than 0")});
}

void validateEndpoint(const EndpointConfig& e, FieldProblems& out) {
  const FieldPath path = FieldPath().child("endpoint");
  if (!e.url.empty() && !isHttpUrl(e.url)) {
    out.push_back({path.child("url"), invalidValue(e.url, "must be empty (no endpoint) or an http:// or "
                                                          "https:// URL (https is expected)")});
  }
  positive(out, path.child("pollInterval"), e.pollInterval);
  if (!std::isfinite(e.pollJitter) || e.pollJitter < 0 || e.pollJitter > 1) {
    std::ostringstream shown;
    shown << e.pollJitter;
    out.push_back({path.child("pollJitter"), invalidValue(shown.str(), "must be a number from 0 to 1")});
  }
  positive(out, path.child("connectTimeout"), e.connectTimeout);
  positive(out, path.child("requestTimeout"), e.requestTimeout);
  if (e.maxBodySize.isNegative() || e.maxBodySize.isZero()) {
    out.push_back({path.child("maxBodySize"), invalidValue(e.maxBodySize.original(), "must be positive")});
  }
  const FieldPath backoff = path.child("backoff");
  positive(out, backoff.child("initial"), e.backoffInitial);
  positive(out, backoff.child("max"), e.backoffMax);
  if (e.backoffMax < e.backoffInitial) {
    out.push_back({backoff.child("max"), invalidValue(formatGoDuration(e.backoffMax),
                                                      "must not be less than endpoint.backoff.initial (" +
                                                          formatGoDuration(e.backoffInitial) + ")")});
  }
  const FieldPath tls = path.child("tls");
  if (!e.tls.certFile.empty() && e.tls.keyFile.empty()) {
    out.push_back({tls.child("keyFile"), "Required value: a client certificate (tls.certFile) needs its key"});
  }
  if (e.tls.certFile.empty() && !e.tls.keyFile.empty()) {
    out.push_back({tls.child("certFile"), "Required value: a client key (tls.keyFile) needs its certificate"});
  }
  const FieldPath kube = path.child("kubernetes");
  if (!e.kubernetes.namespace_.empty()) {
    // A namespace is a DNS label: a subdomain without dots, at most 63 characters.
    const std::string& ns = e.kubernetes.namespace_;
    addAll(out, kube.child("namespace"), ns, model::isDns1123Subdomain(ns));
    if (ns.find('.') != std::string::npos || ns.size() > kLabelValueMaxLength) {
      out.push_back({kube.child("namespace"),
                     invalidValue(ns, "must be a DNS label: at most 63 characters, no dots")});
    }
  }
  if (e.kubernetes.followNode && e.mode != EndpointMode::kKubernetes) {
    out.push_back({kube.child("followNode"),
                   invalidValue("true", "needs endpoint.mode: kubernetes (a Node object comes from an API server)")});
  }
}

void validateReports(const ReportsConfig& r, FieldProblems& out) {
  const FieldPath path = FieldPath().child("reports");
  if (!r.url.empty() && !isHttpUrl(r.url)) {
    out.push_back({path.child("url"), invalidValue(r.url, "must be empty (no reports) or an http:// or https:// "
                                                          "URL template, e.g. https://fleet.example/nodes/{node}")});
  }
  positive(out, path.child("interval"), r.interval);
  if (r.debounce.count() < 0) {
    out.push_back({path.child("debounce"), invalidValue(formatGoDuration(r.debounce), "must not be negative")});
  }
}

}  // namespace

FieldProblems validateAgentConfig(const AgentConfig& config) {
  FieldProblems out;
  const FieldPath root;
  validateNode(config.node, out);

  // Directories are absolute once decoded; the listen address is parsed there too.
  const std::string& criEndpoint = config.cri.endpoint;
  if (!criEndpoint.starts_with("unix:///") || hasDotSegment(criEndpoint.substr(7))) {
    out.push_back({root.child("cri").child("endpoint"),
                   invalidValue(criEndpoint,
                                "must be unix:// followed by an absolute path without '.' or '..', or "
                                "that path alone (e.g. unix:///run/containerd/containerd.sock)")});
  }
  if (!config.cgroupRoot.empty() &&
      (!config.cgroupRoot.starts_with("/") || hasDotSegment(config.cgroupRoot))) {
    out.push_back({root.child("cgroupRoot"),
                   invalidValue(config.cgroupRoot,
                                "must be empty (no cgroups) or an absolute cgroup path without "
                                "'.' or '..' (e.g. /daemonlet)")});
  }
  validateBackoff(config.restartBackoff, out);

  const FieldPath logs = root.child("containerLogs");
  if (config.containerLogs.maxSize.isNegative() || config.containerLogs.maxSize.isZero()) {
    out.push_back(
        {logs.child("maxSize"), invalidValue(config.containerLogs.maxSize.original(), "must be positive")});
  }
  if (config.containerLogs.maxFiles < 2) {
    out.push_back(
        {logs.child("maxFiles"), invalidValue(std::to_string(config.containerLogs.maxFiles),
                                              "must be at least 2 (the live file and one rotated file)")});
  }
  // Below a second the periodic pass would turn into a busy loop.
  if (config.resyncPeriod < std::chrono::seconds(1)) {
    out.push_back({root.child("resyncPeriod"),
                   invalidValue(formatGoDuration(config.resyncPeriod), "must be at least 1s")});
  }
  validateEndpoint(config.endpoint, out);
  validateReports(config.reports, out);
  return out;
}

}  // namespace daemonlet::config
