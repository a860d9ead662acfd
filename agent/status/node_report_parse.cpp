// Reads a NodeReport back from JSON (see node_report.h). Tolerant of fields it
// does not know, strict about the types of the fields it uses, so a report
// written by a newer agent still reads and a damaged one is named, not guessed.

#include "agent/status/node_report.h"

namespace daemonlet::status {
namespace {

using model::Json;

// Collects the first type error with its field path; later reads become no-ops.
class FieldReader {
 public:
  std::string error;

  std::string string(const Json& object, const char* key, const std::string& path, bool required = false) {
    const Json* value = find(object, key, path, required);
    if (value == nullptr || value->is_null()) return {};
    if (!value->is_string()) return fail(path + key, "must be a string"), std::string();
    return value->get<std::string>();
  }
  bool boolean(const Json& object, const char* key, const std::string& path) {
    const Json* value = find(object, key, path, false);
    if (value == nullptr || value->is_null()) return false;
    if (!value->is_boolean()) return fail(path + key, "must be a boolean"), false;
    return value->get<bool>();
  }
  std::optional<std::int64_t> integer(const Json& object, const char* key, const std::string& path) {
    const Json* value = find(object, key, path, false);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_number_integer()) return fail(path + key, "must be an integer"), std::nullopt;
    return value->get<std::int64_t>();
  }
  std::optional<WallTime> time(const Json& object, const char* key, const std::string& path,
                               bool required = false) {
    const std::string text = string(object, key, path, required);
    if (text.empty()) return std::nullopt;
    auto parsed = parseRfc3339(text);
    if (!parsed) fail(path + key, "must be an RFC 3339 time, got \"" + text + "\"");
    return parsed;
  }
  const Json& array(const Json& object, const char* key, const std::string& path) {
    static const Json kEmpty = Json::array();
    const Json* value = find(object, key, path, false);
    if (value == nullptr || value->is_null()) return kEmpty;
    if (!value->is_array()) return fail(path + key, "must be an array"), kEmpty;
    return *value;
  }
  const Json& object(const Json& parent, const char* key, const std::string& path) {
    static const Json kEmpty = Json::object();
    const Json* value = find(parent, key, path, false);
    if (value == nullptr || value->is_null()) return kEmpty;
    if (!value->is_object()) return fail(path + key, "must be an object"), kEmpty;
    return *value;
  }
  void fail(const std::string& field, const std::string& message) {
    if (error.empty()) error = field + ": " + message;
  }

 private:
  const Json* find(const Json& object, const char* key, const std::string& path, bool required) {
    if (!error.empty() || !object.is_object()) return nullptr;
    auto it = object.find(key);
    if (it == object.end() || (required && it->is_null())) {
      if (required) fail(path + key, "required");
      return nullptr;
    }
    return &*it;
  }
};

ReportedPod readPod(FieldReader& r, const Json& json, const std::string& path) {
  if (!json.is_object()) r.fail(path.substr(0, path.size() - 1), "must be an object");
  ReportedPod pod;
  pod.name = r.string(json, "name", path);
  pod.uid = r.string(json, "uid", path);
  pod.revision = r.string(json, "revision", path);
  pod.phase = r.string(json, "phase", path);
  pod.ready = r.boolean(json, "ready", path);
  pod.available = r.boolean(json, "available", path);
  pod.terminating = r.boolean(json, "terminating", path);
  pod.restarts = r.integer(json, "restarts", path).value_or(0);
  pod.lastExitCode = r.integer(json, "lastExitCode", path);
  pod.lastExitReason = r.string(json, "lastExitReason", path);
  pod.startTime = r.time(json, "startTime", path);
  return pod;
}

ReportedDaemonSet readDaemonSet(FieldReader& r, const Json& json, const std::string& path) {
  if (!json.is_object()) r.fail(path.substr(0, path.size() - 1), "must be an object");
  ReportedDaemonSet ds;
  ds.namespace_ = r.string(json, "namespace", path);
  ds.name = r.string(json, "name", path, true);
  ds.origin = r.string(json, "origin", path);
  ds.revision = r.string(json, "revision", path);
  ds.shouldRun = r.boolean(json, "shouldRun", path);
  ds.shouldContinueRunning = r.boolean(json, "shouldContinueRunning", path);
  ds.state = r.string(json, "state", path);
  const Json& reasons = r.array(json, "reasons", path);
  for (std::size_t i = 0; i < reasons.size() && reasons[i].is_string(); ++i) ds.reasons.push_back(reasons[i]);
  const Json& pods = r.array(json, "pods", path);
  for (std::size_t i = 0; i < pods.size(); ++i) {
    ds.pods.push_back(readPod(r, pods[i], path + "pods[" + std::to_string(i) + "]."));
  }
  return ds;
}

RecentEvent readRecentEvent(FieldReader& r, const Json& json, const std::string& path) {
  if (!json.is_object()) r.fail(path.substr(0, path.size() - 1), "must be an object");
  RecentEvent event;
  event.type = r.string(json, "type", path);
  event.reason = r.string(json, "reason", path);
  event.message = r.string(json, "message", path);
  event.count = r.integer(json, "count", path).value_or(1);
  event.firstTimestamp = r.string(json, "firstTimestamp", path);
  event.lastTimestamp = r.string(json, "lastTimestamp", path);
  const Json& involved = r.object(json, "involvedObject", path);
  const std::string involvedPath = path + "involvedObject.";
  event.objectKind = r.string(involved, "kind", involvedPath);
  event.objectNamespace = r.string(involved, "namespace", involvedPath);
  event.objectName = r.string(involved, "name", involvedPath);
  event.fieldPath = r.string(involved, "fieldPath", involvedPath);
  return event;
}

}  // namespace


base::Result<NodeReport> nodeReportFromJson(const model::Json& json, const std::string& origin) {
  auto invalid = [&](const std::string& message) {
    return base::makeError(base::ErrorCode::kInvalidArgument, message, origin);
  };
  if (!json.is_object()) return invalid("not a NodeReport: the document is not a JSON object");
  if (json.value("kind", Json()) != std::string(kNodeReportKind))
    return invalid("not a NodeReport: kind must be NodeReport");
  if (json.value("apiVersion", Json()) != std::string(kNodeReportApiVersion)) {
    return invalid("apiVersion: unsupported (want " + std::string(kNodeReportApiVersion) + ")");
  }
  FieldReader r;
  NodeReport report;
  report.origin = origin;
  const Json& node = r.object(json, "node", "");
  report.nodeName = r.string(node, "name", "node.", true);
  report.hostIP = r.string(node, "hostIP", "node.");
  const Json& labels = r.object(node, "labels", "node.");
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (it->is_string()) report.labels[it.key()] = it->get<std::string>();
  }
  report.agentVersion = r.string(json, "agentVersion", "");
  report.reportTime = r.time(json, "reportTime", "", true).value_or(WallTime{});
  report.sequence = static_cast<std::uint64_t>(r.integer(json, "sequence", "").value_or(0));
  report.statusSequence = static_cast<std::uint64_t>(r.integer(json, "statusSequence", "").value_or(0));
  report.synced = r.boolean(json, "synced", "");
  const Json& daemonSets = r.array(json, "daemonSets", "");
  for (std::size_t i = 0; i < daemonSets.size(); ++i) {
    report.daemonSets.push_back(readDaemonSet(r, daemonSets[i], "daemonSets[" + std::to_string(i) + "]."));
  }
  const Json& errors = r.array(json, "sourceErrors", "");
  for (const auto& e : errors) {
    if (!e.is_object()) continue;
    const std::string source = e.value("source", Json()).is_string() ? e["source"].get<std::string>() : "";
    const std::string message = e.value("message", Json()).is_string() ? e["message"].get<std::string>() : "";
    report.sourceErrors.push_back(source.empty() ? message : source + ": " + message);
  }
  const Json& events = r.array(json, "recentEvents", "");
  for (std::size_t i = 0; i < events.size(); ++i) {
    report.recentEvents.push_back(readRecentEvent(r, events[i], "recentEvents[" + std::to_string(i) + "]."));
  }
  if (!r.error.empty()) return invalid(r.error);
  return report;
}

base::Result<NodeReport> parseNodeReport(std::string_view text, const std::string& origin) {
  Json json = Json::parse(text.begin(), text.end(), nullptr, false);
  if (json.is_discarded()) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "not valid JSON", origin);
  }
  return nodeReportFromJson(json, origin);
}

}  // namespace daemonlet::status
