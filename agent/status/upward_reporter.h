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
// Threading: the moments to send are Timers on the agent's TimerQueue (so a
// ManualClock drives them in tests); building the report and the HTTP PUT run
// on the shared BlockingPool, one attempt at a time. The reconciler's only
// contact is snapshotPublished(), which takes a mutex for a flag update and
// re-arms a timer: it never waits on the network. stop() cancels an HTTP
// request in flight and waits for the attempt to end; the destructor stops.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/model/types.h"
#include "agent/outbound/http_client.h"
#include "agent/status/node_report.h"
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
    // The agent's recent events for the report (node_report.h), newest last;
    // called on the blocking pool, so it must be thread-safe. Unset: none.
    std::function<std::vector<RecentEvent>()> recentEvents;
  };

  // `store`, `timers` and `pool` must outlive the reporter.
  UpwardReporter(Options options, SnapshotStore& store, loop::TimerQueue& timers, loop::BlockingPool& pool);
  ~UpwardReporter();
  UpwardReporter(const UpwardReporter&) = delete;
  UpwardReporter& operator=(const UpwardReporter&) = delete;

  void start();
  void stop();  // idempotent; returns promptly even with a request in flight

  // Any thread, cheap, never blocks on I/O: marks the status as changed.
  void snapshotPublished();

  ReporterHealth health() const;

 private:
  using TimePoint = base::TimePoint;
  enum class AttemptResult { kAccepted, kUnchanged, kFailed };
  void planLocked();  // arms the timer for the next due moment (under mutex_)
  void attempt();     // the timer's callback: hands one attempt to the pool
  AttemptResult sendLatest(bool force);
  std::chrono::milliseconds nextBackoff(std::uint64_t consecutiveFailures);

  Options options_;
  SnapshotStore& store_;
  std::string url_;
  std::unique_ptr<outbound::HttpClient> client_;
  const base::Clock& clock_;
  loop::BlockingPool& pool_;
  loop::Timer due_;

  mutable std::mutex mutex_;
  std::condition_variable attemptEnded_;
  bool started_ = false;
  bool stopping_ = false;
  bool inFlight_ = false;               // an attempt is on the pool
  std::optional<TimePoint> sendAfter_;  // end of the debounce window
  ReporterHealth health_;
  std::optional<TimePoint> retryAt_;
  TimePoint lastAcceptedAt_{};
  bool haveAccepted_ = false;

  // The attempt in flight only (one at a time).
  std::optional<model::Json> lastAccepted_;
  std::uint64_t sequence_ = 0;
  std::minstd_rand jitter_;
};

}  // namespace daemonlet::status
