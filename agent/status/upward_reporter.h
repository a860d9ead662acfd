#pragma once
// UpwardReporter: sends this node's NodeReport (node_report.h) to the fleet with
// HTTP PUT to a URL template such as https://fleet/nodes/{node}/status.
//
// When it sends:
// - on change: snapshotPublished() starts a `debounce` window; when it ends the
//   report is built from the store's latest snapshot and sent if its content
//   differs from the last one the endpoint accepted (sameContent);
// - as a heartbeat: when `heartbeat` has passed since the last accepted report,
//   it is sent even if unchanged, so the fleet can tell a quiet node from a dead one;
// - once right after start (after `debounce`), so the fleet learns about the node.
// A 2xx response means accepted. Anything else (transport failure, any other
// status) is retried with exponential backoff from `backoffInitial` to
// `backoffMax` with ±20% jitter; each retry rebuilds the report from the latest
// snapshot. Nothing is queued: while the endpoint is down the reporter holds
// only the last accepted report, so memory stays bounded however long it lasts.
//
// Threading: one internal thread does all the work (building, HTTP). The
// reconciler's only contact is snapshotPublished(), which takes a mutex for a
// flag update and a notify — it never waits on the network. stop() cancels an
// HTTP request in flight and joins; the destructor stops.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "agent/model/types.h"
#include "agent/outbound/http_client.h"
#include "agent/status/status_snapshot.h"

namespace daemonlet::status {

struct ReporterHealth {
  bool running = false;
  std::uint64_t attempts = 0;             // PUTs tried
  std::uint64_t reportsAccepted = 0;      // 2xx answers
  std::uint64_t failures = 0;             // attempts that were not accepted
  std::uint64_t consecutiveFailures = 0;  // since the last accepted report
  std::optional<WallTime> lastAttempt;
  std::optional<WallTime> lastAccepted;
  std::string lastError;                   // empty after a success
  std::uint64_t lastAcceptedSequence = 0;  // the report's own sequence
};

class UpwardReporter {
 public:
  struct Options {
    std::string urlTemplate;  // "{node}" is replaced by the percent-encoded node name
    std::string nodeName;
    outbound::ClientSettings client;
    std::chrono::milliseconds heartbeat{60000};
    std::chrono::milliseconds debounce{2000};
    std::chrono::milliseconds backoffInitial{1000};
    std::chrono::milliseconds backoffMax{300000};
  };

  // `store` must outlive the reporter.
  UpwardReporter(Options options, SnapshotStore& store);
  ~UpwardReporter();
  UpwardReporter(const UpwardReporter&) = delete;
  UpwardReporter& operator=(const UpwardReporter&) = delete;

  void start();
  void stop();  // idempotent; returns promptly even with a request in flight

  // Any thread, cheap, never blocks on I/O: marks the status as changed.
  void snapshotPublished();

  ReporterHealth health() const;

 private:
  using Clock = std::chrono::steady_clock;
  enum class AttemptResult { kAccepted, kUnchanged, kFailed };
  void run();
  AttemptResult sendLatest(bool force);
  std::chrono::milliseconds nextBackoff(std::uint64_t consecutiveFailures);

  Options options_;
  SnapshotStore& store_;
  std::string url_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool changed_ = false;                        // published since the window opened
  std::optional<Clock::time_point> sendAfter_;  // end of the debounce window
  ReporterHealth health_;

  // Reporter thread only.
  std::optional<model::Json> lastAccepted_;
  Clock::time_point lastAcceptedAt_{};
  std::optional<Clock::time_point> retryAt_;
  std::uint64_t sequence_ = 0;
  std::minstd_rand jitter_;
};

}  // namespace daemonlet::status
