// UpwardReporter: see upward_reporter.h for when and how reports are sent.
#include "agent/status/upward_reporter.h"

#include <algorithm>

#include "agent/base/log.h"
#include "agent/base/retry_backoff.h"
#include "agent/status/node_report.h"

namespace daemonlet::status {
namespace {

using model::Json;

// Failures after this many in a row go to debug level until the endpoint recovers.
constexpr std::uint64_t kLoudFailures = 3;

std::string describeFailure(const outbound::HttpClient::Outcome& outcome) {
  if (!outcome.ok()) {
    return std::string(outbound::failureKindName(outcome.failure.kind)) + ": " + outcome.failure.message;
  }
  std::string body = outcome.response.body.substr(0, 200);
  std::replace(body.begin(), body.end(), '\n', ' ');
  return "HTTP " + std::to_string(outcome.response.status) + (body.empty() ? "" : ": " + body);
}

}  // namespace

UpwardReporter::UpwardReporter(Options options, SnapshotStore& store, loop::TimerQueue& timers,
                               loop::BlockingPool& pool)
    : options_(std::move(options)),
      store_(store),
      url_(outbound::expandUrlTemplate(options_.urlTemplate, options_.nodeName)),
      client_(std::make_unique<outbound::HttpClient>(options_.client)),
      clock_(timers.clock()),
      pool_(pool),
      due_(timers),
      jitter_(std::random_device{}()) {}

UpwardReporter::~UpwardReporter() { stop(); }

void UpwardReporter::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  if (url_.rfind("http://", 0) == 0) {
    base::logWarning("upward reports go over plain http: anyone on the path can read or change them",
                     {{"url", url_}});
  }
  // The first report goes out after one debounce window, so an agent that
  // starts and publishes its first pass at once sends one report, not two.
  sendAfter_ = clock_.now() + options_.debounce;
  health_.running = true;
  planLocked();
}

void UpwardReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    health_.running = false;
  }
  due_.cancel();      // outside mutex_: it waits for a running attempt(), which takes it
  client_->cancel();  // ends a PUT in flight now, not after its timeout
  std::unique_lock lock(mutex_);
  attemptEnded_.wait(lock, [this] { return !inFlight_; });
}

void UpwardReporter::snapshotPublished() {
  std::lock_guard lock(mutex_);
  // Publications inside an open window ride along: under constant churn a
  // report still goes out every `debounce`, never postponed indefinitely.
  if (sendAfter_) return;
  sendAfter_ = clock_.now() + options_.debounce;
  planLocked();
}

void UpwardReporter::planLocked() {
  if (!started_ || stopping_ || inFlight_) return;  // an attempt re-plans when it ends
  std::optional<TimePoint> due;
  if (retryAt_) {
    due = retryAt_;  // while failing, only the backoff decides; the retry sends the latest
  } else {
    due = sendAfter_;
    const TimePoint heartbeatAt = lastAcceptedAt_ + options_.heartbeat;
    if (haveAccepted_ && (!due || heartbeatAt < *due)) due = heartbeatAt;
  }
  if (!due) {
    due_.cancel();
    return;
  }
  due_.armAt(*due, [this] { attempt(); });
}

void UpwardReporter::attempt() {
  bool force = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || inFlight_) return;
    force = !haveAccepted_ || clock_.now() >= lastAcceptedAt_ + options_.heartbeat;
    sendAfter_.reset();  // publications from here on open a new window
    inFlight_ = true;
  }
  pool_.post([this, force] {
    const AttemptResult result = sendLatest(force);
    std::lock_guard lock(mutex_);
    if (result == AttemptResult::kFailed) {
      retryAt_ = clock_.now() + nextBackoff(health_.consecutiveFailures);
    } else {
      retryAt_.reset();
    }
    inFlight_ = false;
    planLocked();
    attemptEnded_.notify_all();
  });
}

ReporterHealth UpwardReporter::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

std::chrono::milliseconds UpwardReporter::nextBackoff(std::uint64_t consecutiveFailures) {
  const std::int64_t initial = std::max<std::int64_t>(1, options_.backoffInitial.count());
  const std::int64_t cap = std::max(initial, static_cast<std::int64_t>(options_.backoffMax.count()));
  const std::int64_t delay =
      base::doublingStep(std::chrono::milliseconds(initial), std::chrono::milliseconds(cap), consecutiveFailures)
          .count();
  // ±20% so a fleet that lost its endpoint together does not retry in lockstep.
  std::uniform_real_distribution<double> factor(0.8, 1.2);
  const auto jittered = static_cast<std::int64_t>(static_cast<double>(delay) * factor(jitter_));
  return std::chrono::milliseconds(std::clamp<std::int64_t>(jittered, 1, cap));
}

UpwardReporter::AttemptResult UpwardReporter::sendLatest(bool force) {
  const std::shared_ptr<const StatusSnapshot> snapshot = store_.latest();
  Json report = buildNodeReport(*snapshot, sequence_ + 1, std::chrono::system_clock::now(),
                                options_.recentEvents ? options_.recentEvents() : std::vector<RecentEvent>{});
  // Before the first pass the snapshot does not know the node's name yet.
  if (report["node"]["name"].get<std::string>().empty()) report["node"]["name"] = options_.nodeName;
  if (!force && lastAccepted_ && sameContent(report, *lastAccepted_)) {
    std::lock_guard lock(mutex_);
    health_.consecutiveFailures = 0;
    health_.lastError.clear();
    return AttemptResult::kUnchanged;
  }
  ++sequence_;
  outbound::Request request;
  request.method = "PUT";
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = report.dump();
  {
    std::lock_guard lock(mutex_);
    ++health_.attempts;
    health_.lastAttempt = std::chrono::system_clock::now();
  }
  const outbound::HttpClient::Outcome outcome = client_->perform(request);
  const bool accepted = outcome.ok() && outcome.response.status >= 200 && outcome.response.status < 300;

  std::lock_guard lock(mutex_);
  if (accepted) {
    if (health_.consecutiveFailures > 0) {
      base::logInfo("upward report accepted again",
                    {{"url", url_}, {"failedAttempts", std::to_string(health_.consecutiveFailures)}});
    }
    lastAccepted_ = std::move(report);
    lastAcceptedAt_ = clock_.now();
    haveAccepted_ = true;
    ++health_.reportsAccepted;
    health_.consecutiveFailures = 0;
    health_.lastError.clear();
    health_.lastAccepted = std::chrono::system_clock::now();
    health_.lastAcceptedSequence = sequence_;
    return AttemptResult::kAccepted;
  }
  if (stopping_) return AttemptResult::kFailed;  // cancelled by stop(): not worth a warning
  ++health_.failures;
  ++health_.consecutiveFailures;
  health_.lastError = describeFailure(outcome);
  if (health_.consecutiveFailures <= kLoudFailures) {
    std::string next =
        health_.consecutiveFailures == kLoudFailures
            ? "retrying with backoff; further failures are logged at debug level until it recovers"
            : "retrying with backoff";
    base::logWarning("upward report not accepted",
                     {{"url", url_}, {"error", health_.lastError}, {"next", std::move(next)}});
  } else {
    base::logDebug("upward report not accepted", {{"url", url_}, {"error", health_.lastError}});
  }
  return AttemptResult::kFailed;
}

}  // namespace daemonlet::status
