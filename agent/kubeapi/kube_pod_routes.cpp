// KubeApi's pod routes that need the token: logs (they can hold secrets) and deletion.
#include <httplib.h>

#include <cstdlib>
#include <filesystem>

#include "agent/base/rfc3339.h"
#include "agent/model/pod_rules.h"
#include "agent/kubeapi/delete_options.h"
#include "agent/kubeapi/kube_api.h"
#include "agent/kubeapi/kube_status.h"
#include "agent/kubeapi/log_follow_stream.h"
#include "agent/status/caller_authority.h"
#include "agent/status/status_json.h"
#include "runtime/container_reasons.h"

namespace daemonlet::kubeapi {
namespace {

const status::PodView* podNamed(const status::StatusSnapshot& snapshot, const std::string& ns, const std::string& name) {
  for (const auto& pod : snapshot.pods) {
    if (pod.namespace_ == ns && pod.name == name) return &pod;
  }
  return nullptr;
}

// The file of the container before `logPath`'s: "<dir>/<n>.log" -> "<dir>/<n-1>.log".
std::string earlierLogPath(const std::string& logPath) {
  std::filesystem::path path(logPath);
  std::string stem = path.stem().string();
  char* end = nullptr;
  long attempt = std::strtol(stem.c_str(), &end, 10);
  if (stem.empty() || *end != '\0' || attempt <= 0) return "";
  return (path.parent_path() / (std::to_string(attempt - 1) + ".log")).string();
}

// metadata as rest.BeforeDelete marks a pod: deletionTimestamp is when the
// grace period ends (the deletion asked at `deletionAt` plus `grace`), not
// when it was asked.
void markedForDeletion(model::Json& metadata, base::WallTime deletionAt, std::int64_t graceSeconds) {
  metadata["deletionTimestamp"] = status::formatTime(deletionAt + std::chrono::seconds(graceSeconds));
  metadata["deletionGracePeriodSeconds"] = graceSeconds;
}

bool refuseWithoutToken(const status::CallerAuthority& auth, const httplib::Request& req, httplib::Response& res) {
  if (auth.authorizes(req.get_header_value("Authorization"), {req.remote_addr, req.remote_port},
                               {req.local_addr, req.local_port})) {
    return false;
  }
  res.set_header("WWW-Authenticate", "Bearer");
  sendKubeStatus(res, 401, "Unauthorized",
                 "logs and deletion need the agent's api-token (as a bearer token) or a loopback client running "
                 "as root or as the agent's user");
  return true;
}

std::optional<std::int64_t> numberParam(const httplib::Request& req, const char* name, bool& bad) {
  if (!req.has_param(name)) return std::nullopt;
  std::string text = req.get_param_value(name);
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0) {
    bad = true;
    return std::nullopt;
  }
  return value;
}

}  // namespace

void KubeApi::serveLog(const httplib::Request& req, httplib::Response& res, const std::string& ns,
                       const std::string& name) {
  if (refuseWithoutToken(auth_, req, res)) return;
  auto snapshot = store_.latest();
  const status::PodView* pod = podNamed(*snapshot, ns, name);
  if (!pod) return sendKubeStatus(res, 404, "NotFound", "pods \"" + name + "\" not found");

  LogOptions options;
  bool bad = false;
  options.container = req.get_param_value("container");
  options.follow = req.get_param_value("follow") == "true";
  options.previous = req.get_param_value("previous") == "true";
  options.timestamps = req.get_param_value("timestamps") == "true";
  options.tailLines = numberParam(req, "tailLines", bad);
  options.limitBytes = numberParam(req, "limitBytes", bad);
  if (auto seconds = numberParam(req, "sinceSeconds", bad)) options.since = clock_.wallNow() - std::chrono::seconds(*seconds);
  if (req.has_param("sinceTime")) {
    options.since = base::parseRfc3339(req.get_param_value("sinceTime"));
    bad = bad || !options.since;
  }
  if (bad) return sendKubeStatus(res, 400, "BadRequest", "tailLines, limitBytes and sinceSeconds take a non-negative integer, sinceTime an RFC 3339 time");

  std::vector<std::string> names;
  for (const auto& c : pod->containers) {
    if (!c.init) names.push_back(c.name);
  }
  if (options.container.empty()) {
    if (names.size() != 1) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : " ") + n;
      return sendKubeStatus(res, 400, "BadRequest",
                            "a container name must be specified for pod " + name + ", choose one of: [" + list + "]");
    }
    options.container = names[0];
  }
  const status::ContainerView* container = nullptr;
  for (const auto& c : pod->containers) {
    if (c.name == options.container) container = &c;
  }
  if (!container) {
    return sendKubeStatus(res, 400, "BadRequest", "container " + options.container + " is not valid for pod " + name);
  }
  bool running = container->state == "running";
  std::string path = container->logPath;
  if (options.previous) {
    // The last terminated run: the one before the running container, or the
    // latest run when the container is waiting to restart.
    path = !container->lastExitCode ? "" : running ? earlierLogPath(container->logPath) : container->logPath;
    if (path.empty()) {
      return sendKubeStatus(res, 400, "BadRequest", "previous terminated container \"" + options.container +
                                                        "\" in pod \"" + name + "\" not found");
    }
  } else if (path.empty()) {
    return sendKubeStatus(res, 400, "BadRequest", "container \"" + options.container + "\" in pod \"" + name +
                                                      "\" is waiting to start: " +
                                                      (container->reason.empty() ? runtime::reasons::kContainerCreating : container->reason));
  }

  if (!options.follow || options.previous || !running) {
    return res.set_content(readLogs(logFilesOf(path), options), "text/plain");
  }
  auto slot = streams_.tryAcquire();
  if (!slot) {
    res.set_header("Retry-After", "1");
    return sendKubeStatus(res, 429, "TooManyRequests", "too many open watches and log streams; retry in a second");
  }
  auto stillRunning = [this, uid = pod->uid, containerName = options.container, id = container->containerId] {
    auto latest = store_.latest();
    for (const auto& p : latest->pods) {
      if (p.uid != uid) continue;
      for (const auto& c : p.containers) {
        if (c.name == containerName) return c.containerId == id && c.state == "running";
      }
    }
    return false;
  };
  status::offerResponseStream(std::make_unique<LogFollowStream>(path, options, stillRunning, std::move(*slot)));
}

void KubeApi::deletePod(const httplib::Request& req, httplib::Response& res, const std::string& ns,
                        const std::string& name) {
  if (refuseWithoutToken(auth_, req, res)) return;
  auto options = parseDeleteOptions(req.params, req.body);
  if (!options) return sendKubeStatus(res, 400, "BadRequest", options.error().describe());
  // As the API server: valid JSON with unsupported values is a 422 naming the fields.
  if (auto causes = validateDeleteOptions(*options); !causes.empty()) {
    return sendInvalid(res, "meta.k8s.io", "DeleteOptions", "", causes);
  }
  refresh();
  model::Json object;
  for (auto& item : history_.list("pods").items) {
    const model::Json& metadata = item["metadata"];
    if (metadata.value("namespace", "") == ns && metadata.value("name", "") == name) object = std::move(item);
  }
  if (object.is_null()) return sendKubeStatus(res, 404, "NotFound", "pods \"" + name + "\" not found");
  model::Json& metadata = object["metadata"];
  // Preconditions, as the API server checks them: a mismatch deletes nothing.
  const std::string uid = metadata.value("uid", "");
  const std::string resourceVersion = metadata.value("resourceVersion", "");
  auto conflict = [&](const std::string& detail) {
    sendKubeStatus(res, 409, "Conflict",
                   "Operation cannot be fulfilled on pods \"" + name + "\": Precondition failed: " + detail);
  };
  if (options->preconditionUid && *options->preconditionUid != uid) {
    return conflict("UID in precondition: " + *options->preconditionUid + ", UID in object meta: " + uid);
  }
  if (options->preconditionResourceVersion && *options->preconditionResourceVersion != resourceVersion) {
    return conflict("ResourceVersion in precondition: " + *options->preconditionResourceVersion +
                    ", ResourceVersion in object meta: " + resourceVersion);
  }
  if (options->isDryRun()) {
    // The object as the deletion would leave it (rest.BeforeDelete): a first
    // deletion marks it; a later one may only shorten the grace period.
    std::int64_t grace = model::kDefaultTerminationGracePeriodSeconds;
    auto deletionAt = clock_.wallNow();
    if (metadata.contains("deletionGracePeriodSeconds") &&
        metadata["deletionGracePeriodSeconds"].is_number_integer()) {
      const std::int64_t current = metadata["deletionGracePeriodSeconds"].get<std::int64_t>();
      if (!options->gracePeriodSeconds || *options->gracePeriodSeconds >= current)
        return sendObject(res, object);
      deletionAt = base::parseRfc3339(metadata.value("deletionTimestamp", "")).value_or(deletionAt) -
                   std::chrono::seconds(current);
      grace = *options->gracePeriodSeconds;
    } else {
      const model::Json& spec = object["spec"];
      if (spec.contains("terminationGracePeriodSeconds") && spec["terminationGracePeriodSeconds"].is_number_integer()) {
        grace = spec["terminationGracePeriodSeconds"].get<std::int64_t>();
      }
      grace = options->gracePeriodSeconds.value_or(grace);
    }
    markedForDeletion(metadata, deletionAt, grace);
    return sendObject(res, object);
  }

  status::DeleteRequest request;
  if (options->gracePeriodSeconds) request.gracePeriod = std::chrono::seconds(*options->gracePeriodSeconds);
  request.uid = uid;  // the pod this answer describes, not a replacement made meanwhile
  status::DeleteResult result = deleter_(ns, name, request);
  switch (result.outcome) {
    case status::DeleteOutcome::kDeleted:
      // As the API server answers a graceful deletion: the object, now marked for deletion.
      markedForDeletion(metadata, result.requestedAt, result.gracePeriod.count());
      return sendObject(res, object);
    case status::DeleteOutcome::kNotFound:
      return sendKubeStatus(res, 404, "NotFound", "pods \"" + name + "\" not found");
    case status::DeleteOutcome::kConflict:
      return conflict("UID in precondition: " + uid + ", the pod was replaced meanwhile");
    case status::DeleteOutcome::kUnavailable:
      return sendKubeStatus(res, 503, "ServiceUnavailable", "the reconciler did not answer; try again");
  }
}

}  // namespace daemonlet::kubeapi
