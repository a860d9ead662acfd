#include "agent/sources/http_endpoint_source.h"

#include <algorithm>

#include "agent/base/log.h"

namespace daemonlet::sources {
namespace {

// Failures logged in a row before the source goes quiet until it recovers.
constexpr int kLoggedFailuresBeforeQuiet = 3;

std::string oneLine(std::string text, std::size_t limit) {
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

std::string seconds(std::chrono::milliseconds delay) {
  return std::to_string(delay.count() / 1000) + "." + std::to_string(delay.count() % 1000 / 100) + "s";
}

}  // namespace

HttpEndpointSource::HttpEndpointSource(HttpEndpointOptions options, EndpointCallbacks callbacks,
                                       const EndpointSnapshot* seed, loop::TimerQueue& timers,
                                       loop::BlockingPool& pool)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      schedule_{options_.pollInterval, options_.jitter, options_.backoffInitial, options_.backoffMax},
      client_(std::make_unique<outbound::HttpClient>(options_.client)),
      pool_(pool),
      next_(timers),
      random_(std::random_device{}()) {
  if (seed) last_ = *seed;
  health_.url = options_.url;
  health_.mode = "http";
}

HttpEndpointSource::~HttpEndpointSource() { stop(); }

void HttpEndpointSource::start() {
  if (options_.url.rfind("http://", 0) == 0) {
    base::logWarning("endpoint uses plain http: responses are neither authenticated nor private",
                     {{"url", options_.url}});
  }
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  startPollLocked();
}

void HttpEndpointSource::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  next_.cancel();     // outside mutex_: it waits for a running callback, which takes it
  client_->cancel();  // ends a request in flight at once
  std::unique_lock lock(mutex_);
  pollEnded_.wait(lock, [this] { return !polling_; });
}

void HttpEndpointSource::pollNow() {
  std::lock_guard lock(mutex_);
  if (!started_ || stopping_) return;
  if (polling_) {
    pollRequested_ = true;
    return;
  }
  startPollLocked();
}

void HttpEndpointSource::startPollLocked() {
  polling_ = true;
  pollRequested_ = false;
  pool_.post([this] { poll(); });
}

void HttpEndpointSource::poll() {
  pollOnce();
  const auto delay = nextDelay();
  health_.nextAttempt = std::chrono::system_clock::now() + delay;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      polling_ = false;
      pollEnded_.notify_all();
      return;
    }
  }
  if (callbacks_.onHealth) callbacks_.onHealth(health_);

  std::lock_guard lock(mutex_);
  polling_ = false;
  if (!stopping_) {
    if (pollRequested_) {
      startPollLocked();
    } else {
      next_.armAfter(delay, [this] {
        std::lock_guard lock(mutex_);
        if (!stopping_ && !polling_) startPollLocked();
      });
    }
  }
  pollEnded_.notify_all();
}

std::chrono::milliseconds HttpEndpointSource::nextDelay() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return nextPollDelay(schedule_, health_.consecutiveFailures, unit(random_));
}

bool HttpEndpointSource::pollOnce() {
  outbound::Request request;
  request.url = options_.url;
  request.headers.push_back({"Accept", "application/json, application/yaml;q=0.9, */*;q=0.8"});
  // Validators only make sense for the URL that issued them (the cache may
  // hold a snapshot from a URL the operator has since changed).
  const bool conditional = last_ && last_->url == options_.url;
  if (conditional && !last_->etag.empty()) request.headers.push_back({"If-None-Match", last_->etag});
  if (conditional && !last_->lastModified.empty()) {
    request.headers.push_back({"If-Modified-Since", last_->lastModified});
  }

  ++health_.requests;
  auto outcome = client_->perform(request);
  health_.bytesReceived += outcome.response.bytesReceived;
  if (!outcome.ok()) {
    if (outcome.failure.kind == outbound::FailureKind::kCancelled)
      return false;  // stop(): not the endpoint's fault
    recordFailure(outcome.failure.message);
    return false;
  }
  const long status = outcome.response.status;
  if (status == 304) {
    if (!conditional) {
      recordFailure(options_.url + ": 304 Not Modified to a request that was not conditional");
      return false;
    }
    ++health_.notModified;
    recordSuccess();
    return true;
  }
  if (status != 200) {
    recordFailure(options_.url + ": HTTP " + std::to_string(status) +
                  (outcome.response.body.empty() ? "" : ": " + oneLine(outcome.response.body, 200)));
    return false;
  }

  auto accepted = acceptEndpointBody(outcome.response.body, options_.url, last_ ? &*last_ : nullptr);
  if (!accepted) {
    recordFailure(oneLine(accepted.error().describe(), 500));
    return false;
  }
  EndpointSnapshot snapshot = std::move(*accepted);
  snapshot.etag = outcome.response.header("etag");
  snapshot.lastModified = outcome.response.header("last-modified");
  snapshot.fetchedAt = std::chrono::system_clock::now();
  last_ = snapshot;
  recordSuccess();
  if (callbacks_.onSnapshot) callbacks_.onSnapshot(*last_);
  return true;
}

void HttpEndpointSource::recordSuccess() {
  if (health_.consecutiveFailures > 0) {
    base::logInfo("endpoint recovered",
                  {{"url", options_.url}, {"failures", std::to_string(health_.consecutiveFailures)}});
  }
  health_.connected = true;
  health_.lastError.clear();
  health_.consecutiveFailures = 0;
  health_.lastSuccess = std::chrono::system_clock::now();
  loggedFailures_ = 0;
}

void HttpEndpointSource::recordFailure(const std::string& message) {
  health_.connected = false;
  health_.lastError = message;
  ++health_.consecutiveFailures;
  if (loggedFailures_ < kLoggedFailuresBeforeQuiet) {
    ++loggedFailures_;
    // The delay logged is the base backoff; the real one carries jitter.
    auto backoff = nextPollDelay(schedule_, health_.consecutiveFailures, 0.5);
    base::logWarning(loggedFailures_ == kLoggedFailuresBeforeQuiet
                         ? "endpoint poll failed; keeping the last good snapshot (quiet until it recovers)"
                         : "endpoint poll failed; keeping the last good snapshot",
                     {{"url", options_.url}, {"error", message}, {"retry_in", seconds(backoff)}});
  }
}

}  // namespace daemonlet::sources
