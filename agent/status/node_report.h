#pragma once
// NodeReport: the document each agent sends upward (PUT to the fleet's report
// URL) and that `daemonlet fleet status` reads back. It is versioned
// (apiVersion daemonlet.io/v1alpha1, kind NodeReport) so readers can reject a
// future incompatible shape instead of misreading it; readers ignore fields
// they do not know, so adding fields is compatible.
//
// Shape (times RFC 3339 UTC, absent optional values are null):
//   {apiVersion, kind, node: {name, labels, taints: [{key, value?, effect}], hostIP},
//    agentVersion, reportTime, sequence, statusSequence, synced,
//    daemonSets: [{namespace, name, origin, revision, shouldRun, shouldContinueRunning,
//                  reasons, state, pods: [{name, uid, revision, phase, ready, available,
//                  terminating, restarts, lastExitCode, lastExitReason, startTime}]}],
//    sourceErrors: [{source, message}],
//    recentEvents: [{type, reason, message, count, firstTimestamp, lastTimestamp,
//                    involvedObject: {kind, namespace, name, fieldPath?}}]}
// `recentEvents` are the last kMaxReportedEvents core/v1 Events the agent
// recorded (as `kubectl get events` shows them: Killing, Unhealthy, BackOff, ...),
// least recently seen first, newest last; a repeat bumps count and lastTimestamp.
// `sequence` counts reports sent by this agent process (restarts at 1 when the
// agent restarts; readers order by reportTime); `statusSequence` is the
// snapshot's own sequence.
//
// Pure: no I/O, no clock reads.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"
#include "agent/base/rfc3339.h"
#include "agent/model/types.h"
#include "agent/status/status_snapshot.h"

namespace daemonlet::status {

inline constexpr std::string_view kNodeReportApiVersion = "daemonlet.io/v1alpha1";
inline constexpr std::string_view kNodeReportKind = "NodeReport";

inline constexpr std::size_t kMaxReportedEvents = 20;

// One event as the report carries it (the agent's EventLog, agent/kubeapi, supplies them).
struct RecentEvent {
  std::string type;  // Normal, Warning
  std::string reason;
  std::string message;
  std::int64_t count = 1;
  std::string firstTimestamp;  // RFC 3339
  std::string lastTimestamp;
  std::string objectKind;  // Pod, DaemonSet, Node
  std::string objectNamespace;
  std::string objectName;
  std::string fieldPath;  // "spec.containers{main}"; empty for the whole object
  bool operator==(const RecentEvent&) const = default;
};

// `restarts` is the sum of restartCount over all of a pod's containers (init
// containers included); lastExitCode/lastExitReason come from the container
// whose last termination is the most recent.
// `events`: the recent events, newest last; at most kMaxReportedEvents (the last ones) go in.
model::Json buildNodeReport(const StatusSnapshot& snapshot, std::uint64_t reportSequence,
                            WallTime reportTime, const std::vector<RecentEvent>& events = {});

// True when two reports say the same thing about the node: everything equal
// except reportTime, sequence and statusSequence (which change every pass).
bool sameContent(const model::Json& a, const model::Json& b);

// ---- Reading reports back (the fleet view) ----

struct ReportedPod {
  std::string name;
  std::string uid;
  std::string revision;
  std::string phase;
  bool ready = false;
  bool available = false;
  bool terminating = false;
  std::int64_t restarts = 0;
  std::optional<std::int64_t> lastExitCode;
  std::string lastExitReason;
  std::optional<WallTime> startTime;
};

struct ReportedDaemonSet {
  std::string namespace_;
  std::string name;
  std::string origin;
  std::string revision;
  bool shouldRun = false;
  bool shouldContinueRunning = false;
  std::vector<std::string> reasons;
  std::string state;
  std::vector<ReportedPod> pods;
};

struct NodeReport {
  std::string origin;  // where it was read from (file path or URL), for messages
  std::string nodeName;
  model::StringMap labels;
  std::string hostIP;
  std::string agentVersion;
  WallTime reportTime{};
  std::uint64_t sequence = 0;
  std::uint64_t statusSequence = 0;
  bool synced = false;
  std::vector<ReportedDaemonSet> daemonSets;
  std::vector<std::string> sourceErrors;  // "source: message"
  std::vector<RecentEvent> recentEvents;  // absent in reports of older agents: empty
};

// Parses a report document. Unknown fields are ignored; a wrong apiVersion or
// kind, a missing node name or reportTime, or a field of the wrong type is an
// error whose context is `origin` (the file or URL) and whose message names
// the field.
base::Result<NodeReport> parseNodeReport(std::string_view text, const std::string& origin);
base::Result<NodeReport> nodeReportFromJson(const model::Json& json, const std::string& origin);

// "2026-11-27T18:00:00Z", with optional fractional seconds and "+hh:mm" offsets.
using base::parseRfc3339;

}  // namespace daemonlet::status
