#include "agent/status/metrics_text.h"

#include <chrono>
#include <cstdio>
#include <map>

namespace daemonlet::status {
namespace {

// Label values escape backslash, quote and newline (exposition format rules).
std::string escapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string metricsText(const StatusSnapshot& snapshot) {
  std::string out;
  header(out, "daemonlet_build_info", "gauge", "Agent version; always 1.");
  out += "daemonlet_build_info{version=\"" + escapeLabel(snapshot.agentVersion) + "\"} 1\n";

  header(out, "daemonlet_pods", "gauge", "Daemon pods on this node by phase.");
  std::map<std::string, int> byPhase = {{"Pending", 0}, {"Running", 0}, {"Succeeded", 0}, {"Failed", 0}, {"Unknown", 0}};
  for (const auto& pod : snapshot.pods) ++byPhase[pod.phase];
  for (const auto& [phase, count] : byPhase) {
    out += "daemonlet_pods{phase=\"" + escapeLabel(phase) + "\"} " + std::to_string(count) + "\n";
  }

  header(out, "daemonlet_pods_ready", "gauge", "Daemon pods whose Ready condition is true.");
  int ready = 0;
  for (const auto& pod : snapshot.pods) ready += pod.ready ? 1 : 0;
  out += "daemonlet_pods_ready " + std::to_string(ready) + "\n";

  header(out, "daemonlet_daemonsets", "gauge", "Known DaemonSets by placement decision on this node.");
  std::map<std::string, int> byDecision = {{"run", 0}, {"keep", 0}, {"skip", 0}};
  for (const auto& ds : snapshot.daemonSets) {
    ++byDecision[ds.shouldRun ? "run" : (ds.shouldContinueRunning ? "keep" : "skip")];
  }
  for (const auto& [decision, count] : byDecision) {
    out += "daemonlet_daemonsets{decision=\"" + decision + "\"} " + std::to_string(count) + "\n";
  }

  header(out, "daemonlet_container_restarts_total", "counter", "Container restarts performed by the agent.");
  out += "daemonlet_container_restarts_total " + std::to_string(snapshot.counters.containerRestarts) + "\n";

  header(out, "daemonlet_placement_decisions_total", "counter", "Placement decisions taken, by outcome.");
  for (const auto& [decision, count] : snapshot.counters.decisions) {
    out += "daemonlet_placement_decisions_total{decision=\"" + escapeLabel(decision) + "\"} " +
           std::to_string(count) + "\n";
  }

  header(out, "daemonlet_source_errors", "gauge", "Source errors currently shown in the status.");
  out += "daemonlet_source_errors " + std::to_string(snapshot.sourceErrors.size()) + "\n";
  header(out, "daemonlet_source_errors_total", "counter", "Source errors seen since the agent started.");
  out += "daemonlet_source_errors_total " + std::to_string(snapshot.counters.sourceErrors) + "\n";

  if (snapshot.endpoint) {
    const EndpointView& e = *snapshot.endpoint;
    header(out, "daemonlet_endpoint_requests_total", "counter", "Requests made to the central endpoint.");
    out += "daemonlet_endpoint_requests_total " + std::to_string(e.requests) + "\n";
    header(out, "daemonlet_endpoint_errors_total", "counter", "Endpoint requests that failed.");
    out += "daemonlet_endpoint_errors_total " + std::to_string(e.errors) + "\n";
    header(out, "daemonlet_endpoint_not_modified_total", "counter", "Endpoint polls answered 304 Not Modified.");
    out += "daemonlet_endpoint_not_modified_total " + std::to_string(e.notModified) + "\n";
    header(out, "daemonlet_endpoint_received_bytes_total", "counter", "Bytes received from the endpoint.");
    out += "daemonlet_endpoint_received_bytes_total " + std::to_string(e.bytesReceived) + "\n";
    header(out, "daemonlet_endpoint_connected", "gauge", "1 when the last endpoint request (or the watch) succeeded.");
    out += std::string("daemonlet_endpoint_connected ") + (e.connected ? "1" : "0") + "\n";
    header(out, "daemonlet_endpoint_serving_from_cache", "gauge",
           "1 while the endpoint's DaemonSets come from the last-known-good cache.");
    out += std::string("daemonlet_endpoint_serving_from_cache ") + (e.servingFromCache ? "1" : "0") + "\n";
    if (e.lastSuccess) {
      header(out, "daemonlet_endpoint_last_success_timestamp_seconds", "gauge",
             "Unix time of the last successful endpoint request.");
      out += "daemonlet_endpoint_last_success_timestamp_seconds " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(e.lastSuccess->time_since_epoch()).count()) +
             "\n";
    }
  }

  header(out, "daemonlet_reconcile_duration_seconds", "histogram", "Time one reconcile pass took.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kReconcileBuckets.size(); ++i) {
    if (i < snapshot.counters.reconcileBucketCounts.size()) cumulative += snapshot.counters.reconcileBucketCounts[i];
    out += "daemonlet_reconcile_duration_seconds_bucket{le=\"" + number(kReconcileBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "daemonlet_reconcile_duration_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(snapshot.counters.reconcilePasses) + "\n";
  out += "daemonlet_reconcile_duration_seconds_sum " + number(snapshot.counters.reconcileSecondsSum) + "\n";
  out += "daemonlet_reconcile_duration_seconds_count " + std::to_string(snapshot.counters.reconcilePasses) + "\n";
  return out;
}

}  // namespace daemonlet::status
