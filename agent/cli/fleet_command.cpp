// `daemonlet fleet status --reports DIR|URL`: the fleet's DaemonSets as
// `kubectl get ds` shows them, computed from the node reports agents PUT upward.
#include <algorithm>
#include <iostream>

#include "agent/cli/cli.h"
#include "agent/cli/commands.h"
#include "agent/fleet/fleet_reports.h"
#include "agent/cli/table_output.h"
#include "agent/fleet/fleet_view.h"
#include "agent/status/status_json.h"
#include "config/go_duration.h"

namespace daemonlet::cli {
namespace {

constexpr const char* kFleetUsage =
    "usage: daemonlet fleet status --reports DIR|URL [--stale-after DURATION] [-o json|wide]\n"
    "            [--ca-file FILE] [--cert-file FILE --key-file FILE] [--token-file FILE]\n"
    "\n"
    "Reads the node reports agents send upward and prints, per DaemonSet, the columns of\n"
    "`kubectl get ds`, computed as the DaemonSet controller does:\n"
    "  DESIRED       nodes that should run it\n"
    "  CURRENT       of those, nodes running a pod of it\n"
    "  READY         of those, nodes whose pod is ready\n"
    "  UP-TO-DATE    of those, nodes whose pod runs the newest revision: the revision in\n"
    "                the most recently sent report that mentions the DaemonSet\n"
    "  AVAILABLE     of those, nodes whose pod has been ready for minReadySeconds\n"
    "  MISSCHEDULED  nodes running a pod although they should not run it\n"
    "  STALE         nodes whose last report is older than --stale-after (default 5m);\n"
    "                their data still counts\n"
    "  LAST-REPORT   age of the newest report that mentions the DaemonSet\n"
    "A node's oldest pod decides; only each node's newest report counts.\n"
    "\n"
    "--reports DIR  searches DIR recursively. Files named *.json or `status` (what a PUT to\n"
    "               .../nodes/<node>/status leaves) must be NodeReports; other files count\n"
    "               when their content is a NodeReport; names starting with \".\" are skipped.\n"
    "--reports URL  reads an nginx `autoindex_format json` listing, recursively, and fetches\n"
    "               its files by the same rule (TLS and token flags as for the endpoint).\n"
    "Files that are not valid reports are listed on stderr and skipped.\n"
    "Exit codes: 0 printed, 1 no report could be read, 2 usage error.\n";

struct FleetOptions {
  std::string reports;
  std::chrono::seconds staleAfter = std::chrono::minutes(5);
  std::string output;  // "", "json", "wide"
  outbound::ClientSettings client;
};

bool takeValue(const Arguments& args, std::size_t& i, const std::string& flag, std::string& value) {
  const std::string& arg = args[i];
  if (arg == flag) {
    if (i + 1 >= args.size()) return false;
    value = args[++i];
    return true;
  }
  if (arg.rfind(flag + "=", 0) == 0) {
    value = arg.substr(flag.size() + 1);
    return true;
  }
  return false;
}

bool parseFleetOptions(const Arguments& args, FleetOptions& options, CommandIo& io) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (takeValue(args, i, "--reports", value)) {
      options.reports = value;
    } else if (takeValue(args, i, "--stale-after", value)) {
      std::string why;
      auto duration = config::parseGoDuration(value, &why);
      if (!duration || duration->count() <= 0) {
        io.err << "daemonlet fleet: --stale-after " << value << ": "
               << (why.empty() ? "must be positive, e.g. 5m" : why) << "\n";
        return false;
      }
      options.staleAfter = std::chrono::duration_cast<std::chrono::seconds>(*duration);
    } else if (takeValue(args, i, "-o", value) || takeValue(args, i, "--output", value)) {
      options.output = value;
    } else if (takeValue(args, i, "--ca-file", value)) {
      options.client.tls.caFile = value;
    } else if (takeValue(args, i, "--cert-file", value)) {
      options.client.tls.certFile = value;
    } else if (takeValue(args, i, "--key-file", value)) {
      options.client.tls.keyFile = value;
    } else if (takeValue(args, i, "--token-file", value)) {
      options.client.bearerTokenFile = value;
    } else {
      io.err << "daemonlet fleet: unknown or incomplete argument \"" << args[i] << "\"\n";
      return false;
    }
  }
  if (options.reports.empty()) {
    io.err << "daemonlet fleet: --reports DIR|URL is required\n";
    return false;
  }
  if (!options.output.empty() && options.output != "json" && options.output != "wide") {
    io.err << "daemonlet fleet: unsupported output format \"" << options.output << "\" (json|wide)\n";
    return false;
  }
  return true;
}

bool isUrl(const std::string& text) {
  return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "<none>" : out;
}

void printFleetTable(const fleet::FleetStatus& view, status::WallTime now, bool wide, CommandIo& io) {
  std::vector<std::vector<std::string>> rows = {{"NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY",
                                                 "UP-TO-DATE", "AVAILABLE", "MISSCHEDULED", "STALE",
                                                 "LAST-REPORT"}};
  if (wide) rows[0].insert(rows[0].end(), {"NODES", "REVISION", "STALE-NODES", "MISSCHEDULED-NODES"});
  for (const auto& ds : view.daemonSets) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - ds.newestReportTime);
    std::vector<std::string> row = {ds.namespace_,
                                    ds.name,
                                    std::to_string(ds.desired),
                                    std::to_string(ds.current),
                                    std::to_string(ds.ready),
                                    std::to_string(ds.upToDate),
                                    std::to_string(ds.available),
                                    std::to_string(ds.misscheduled),
                                    std::to_string(ds.stale),
                                    humanAge(std::max(age, std::chrono::seconds(0)))};
    if (wide) {
      row.insert(row.end(),
                 {std::to_string(ds.nodes), ds.newestRevision.empty() ? "<unknown>" : ds.newestRevision,
                  joined(ds.staleNodes), joined(ds.misscheduledNodes)});
    }
    rows.push_back(std::move(row));
  }
  printTable(io.out, rows);
}

int runFleetStatus(const Arguments& args, CommandIo& io) {
  FleetOptions options;
  if (!parseFleetOptions(args, options, io)) {
    io.err << "Run `daemonlet fleet status --help` for usage.\n";
    return kExitUsage;
  }
  fleet::CollectedReports collected = isUrl(options.reports)
                                          ? fleet::collectReportsFromUrl(options.reports, options.client)
                                          : fleet::collectReportsFromDirectory(options.reports);
  for (const auto& problem : collected.problems) io.err << "daemonlet fleet: skipped " << problem << "\n";
  if (collected.reports.empty()) {
    io.err << "daemonlet fleet: no node report could be read from " << options.reports << "\n";
    return kExitInvalid;
  }
  const auto now = std::chrono::system_clock::now();
  const auto reports = fleet::newestReportPerNode(std::move(collected.reports));
  const fleet::FleetStatus view = fleet::computeFleetStatus(reports, now, options.staleAfter);
  if (options.output == "json") {
    io.out << fleet::fleetStatusJson(view).dump(2) << "\n";
  } else if (view.daemonSets.empty()) {
    io.err << "No DaemonSets in " << view.nodes << " node report(s).\n";
  } else {
    printFleetTable(view, now, options.output == "wide", io);
  }
  if (!view.staleNodes.empty()) {
    io.err << "warning: " << view.staleNodes.size() << " of " << view.nodes
           << " node(s) have not reported for more than " << config::formatGoDuration(options.staleAfter)
           << ": " << joined(view.staleNodes) << "\n";
  }
  return kExitOk;
}

}  // namespace

int runFleetCommand(const Arguments& args, CommandIo& io) {
  if (args.empty()) {
    io.err << kFleetUsage;
    return kExitUsage;
  }
  if (isHelpFlag(args[0])) {
    io.out << kFleetUsage;
    return kExitOk;
  }
  if (args[0] != "status") {
    io.err << "daemonlet fleet: unknown subcommand \"" << args[0] << "\" (status)\n";
    return kExitUsage;
  }
  const Arguments rest(args.begin() + 1, args.end());
  if (!rest.empty() && isHelpFlag(rest[0])) {
    io.out << kFleetUsage;
    return kExitOk;
  }
  return runFleetStatus(rest, io);
}

}  // namespace daemonlet::cli
