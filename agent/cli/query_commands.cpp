// `daemonlet status` and `daemonlet get pods|daemonsets`: kubectl-like views of a
// running agent, read from its local API.
#include <iostream>
#include <numeric>

#include "agent/cli/cli.h"
#include "agent/cli/commands.h"
#include "agent/cli/local_api_client.h"
#include "agent/cli/table_output.h"
#include "agent/model/types.h"
#include "runtime/container_reasons.h"

namespace daemonlet::cli {
namespace {

using model::Json;

struct QueryOptions {
  std::string output;  // "", "wide", "json", "yaml"
  std::vector<std::string> positional;
};

bool parseQueryOptions(std::vector<std::string> args, QueryOptions& options, ApiEndpoint& endpoint, CommandIo& io) {
  auto resolved = resolveEndpoint(args);
  if (!resolved) {
    io.err << "daemonlet: " << resolved.error().describe() << "\n";
    return false;
  }
  endpoint = *resolved;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if ((arg == "-o" || arg == "--output") && i + 1 < args.size()) {
      options.output = args[++i];
    } else if (arg.rfind("-o", 0) == 0 && arg.size() > 2 && arg[2] != '-') {
      options.output = arg.substr(arg[2] == '=' ? 3 : 2);
    } else if (arg.rfind("--output=", 0) == 0) {
      options.output = arg.substr(9);
    } else if (!arg.empty() && arg[0] == '-') {
      io.err << "daemonlet: unknown flag " << arg << "\n";
      return false;
    } else {
      options.positional.push_back(arg);
    }
  }
  if (!options.output.empty() && options.output != "wide" && options.output != "json" && options.output != "yaml") {
    io.err << "daemonlet: unsupported output format \"" << options.output << "\" (json|yaml|wide)\n";
    return false;
  }
  return true;
}

// Fetches a JSON document; prints the reason and returns null on failure.
Json fetch(const ApiEndpoint& endpoint, const std::string& path, CommandIo& io) {
  auto reply = httpGet(endpoint, path);
  if (!reply) {
    io.err << "daemonlet: " << reply.error().describe() << "\n";
    return nullptr;
  }
  Json body = Json::parse(reply->body, nullptr, false);
  if (reply->status != 200 || body.is_discarded()) {
    io.err << "daemonlet: " << path << ": HTTP " << reply->status << "\n";
    return nullptr;
  }
  return body;
}

bool printStructured(const Json& body, const QueryOptions& options, CommandIo& io) {
  if (options.output == "json") {
    io.out << body.dump(2) << "\n";
    return true;
  }
  if (options.output == "yaml") {
    io.out << toYaml(body);
    return true;
  }
  return false;
}

// kubectl's STATUS column: a waiting or terminated reason beats the phase.
std::string podStatusWord(const Json& pod) {
  const Json& status = pod["status"];
  if (pod["metadata"].contains("deletionTimestamp")) return "Terminating";
  const Json inits = status.value("initContainerStatuses", Json::array());
  int initDone = 0;
  for (const auto& c : inits) {
    if (c["state"].contains("terminated") && c["state"]["terminated"].value("exitCode", 1) == 0) ++initDone;
    else if (c["state"].contains("waiting") && c["state"]["waiting"].contains("reason") &&
             c["state"]["waiting"]["reason"] != runtime::reasons::kPodInitializing) {
      return "Init:" + c["state"]["waiting"]["reason"].get<std::string>();
    }
  }
  if (!inits.empty() && initDone < static_cast<int>(inits.size()) && status.value("phase", "") == "Pending") {
    return "Init:" + std::to_string(initDone) + "/" + std::to_string(inits.size());
  }
  for (const auto& c : status.value("containerStatuses", Json::array())) {
    if (c["state"].contains("waiting") && c["state"]["waiting"].contains("reason")) {
      return c["state"]["waiting"]["reason"].get<std::string>();
    }
  }
  return status.value("phase", "Unknown");
}

int printPods(const ApiEndpoint& endpoint, const QueryOptions& options, CommandIo& io) {
  Json list = fetch(endpoint, "/api/v1/pods", io);
  if (list.is_null()) return kExitInvalid;
  if (printStructured(list, options, io)) return kExitOk;
  bool wide = options.output == "wide";
  std::vector<std::vector<std::string>> rows = {{"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"}};
  if (wide) rows[0].insert(rows[0].end(), {"NODE", "REVISION", "CONTAINERS"});
  for (const auto& pod : list["items"]) {
    int ready = 0, total = 0, restarts = 0;
    std::string ids;
    for (const auto& c : pod["status"].value("containerStatuses", Json::array())) {
      ++total;
      ready += c.value("ready", false) ? 1 : 0;
      restarts += c.value("restartCount", 0);
      ids += (ids.empty() ? "" : ",") + c.value("containerID", std::string("-"));
    }
    std::vector<std::string> row = {pod["metadata"].value("namespace", ""), pod["metadata"].value("name", ""),
                                    std::to_string(ready) + "/" + std::to_string(total), podStatusWord(pod),
                                    std::to_string(restarts),
                                    humanAge(ageOf(pod["metadata"].value("creationTimestamp", "")))};
    if (wide) {
      row.push_back(pod["spec"].value("nodeName", ""));
      row.push_back(pod["metadata"].value("labels", Json::object()).value("controller-revision-hash", ""));
      row.push_back(ids.empty() ? "-" : ids);
    }
    rows.push_back(row);
  }
  if (rows.size() == 1) {
    io.err << "No daemon pods on this node.\n";
    return kExitOk;
  }
  printTable(io.out, rows);
  return kExitOk;
}

std::string podCounts(const Json& ds, bool readyOnly) {
  int n = 0;
  for (const auto& pod : ds["pods"]) n += (!readyOnly || pod.value("ready", false)) ? 1 : 0;
  return std::to_string(n);
}

void printDaemonSetTable(const Json& status, bool wide, CommandIo& io) {
  std::vector<std::vector<std::string>> rows = {
      {"NAMESPACE", "NAME", "DECISION", "STATE", "PODS", "READY", "REVISION", "SOURCE"}};
  if (wide) rows[0].push_back("REASON");
  for (const auto& ds : status["daemonSets"]) {
    const Json& decision = ds["decision"];
    std::string verdict = decision.value("shouldRun", false)                ? "Run"
                          : decision.value("shouldContinueRunning", false) ? "Keep"
                                                                            : "Skip";
    std::vector<std::string> row = {ds.value("namespace", ""), ds.value("name", ""), verdict, ds.value("state", ""),
                                    podCounts(ds, false), podCounts(ds, true), ds.value("revision", ""),
                                    ds.value("source", "")};
    if (wide) row.push_back(decision["reasons"].empty() ? "" : decision["reasons"][0].get<std::string>());
    rows.push_back(row);
  }
  printTable(io.out, rows);
}

}  // namespace

int runStatusCommand(const Arguments& args, CommandIo& io) {
  if (!args.empty() && isHelpFlag(args[0])) {
    io.out << "usage: daemonlet status [-o json|yaml|wide] [--server URL | --run-dir DIR | --config FILE]\n"
              "Shows the node, every known DaemonSet with its decision and pods, and source errors.\n";
    return kExitOk;
  }
  QueryOptions options;
  ApiEndpoint endpoint;
  if (!parseQueryOptions(args, options, endpoint, io)) return kExitUsage;
  Json status = fetch(endpoint, "/status", io);
  if (status.is_null()) return kExitInvalid;
  if (printStructured(status, options, io)) return kExitOk;
  const Json& node = status["node"];
  std::string taints;
  for (const auto& t : node.value("taints", Json::array())) {
    taints += (taints.empty() ? "" : ",") + t.value("key", "") +
              (t.value("value", "").empty() ? "" : "=" + t.value("value", "")) + ":" + t.value("effect", "");
  }
  io.out << "Node:     " << node.value("name", "") << "\n";
  io.out << "Taints:   " << (taints.empty() ? "<none>" : taints) << "\n";
  io.out << "Agent:    " << status.value("agentVersion", "") << (status.value("synced", false) ? " (synced)" : " (starting)")
         << "\n\n";
  printDaemonSetTable(status, options.output == "wide", io);
  const Json& errors = status["sourceErrors"];
  if (!errors.empty()) {
    io.out << "\nSource errors (the last good version of each source stays in force):\n";
    for (const auto& e : errors) io.out << "  " << e.value("message", "") << "\n";
  }
  return kExitOk;
}

int runGetCommand(const Arguments& args, CommandIo& io) {
  if (args.empty() || isHelpFlag(args[0])) {
    (args.empty() ? io.err : io.out)
        << "usage: daemonlet get pods|daemonsets [-o json|yaml|wide] [--server URL | --run-dir DIR | --config FILE]\n";
    return args.empty() ? kExitUsage : kExitOk;
  }
  QueryOptions options;
  ApiEndpoint endpoint;
  if (!parseQueryOptions(args, options, endpoint, io)) return kExitUsage;
  const std::string what = options.positional.empty() ? "" : options.positional[0];
  if (what == "pods" || what == "pod" || what == "po") return printPods(endpoint, options, io);
  if (what == "daemonsets" || what == "daemonset" || what == "ds") {
    Json status = fetch(endpoint, "/status", io);
    if (status.is_null()) return kExitInvalid;
    if (printStructured(status["daemonSets"], options, io)) return kExitOk;
    printDaemonSetTable(status, options.output == "wide", io);
    return kExitOk;
  }
  io.err << "daemonlet get: unknown resource \"" << what << "\" (pods, daemonsets)\n";
  return kExitUsage;
}

}  // namespace daemonlet::cli
