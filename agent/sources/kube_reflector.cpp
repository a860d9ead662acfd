#include "agent/sources/kube_reflector.h"

#include "agent/base/log.h"

namespace daemonlet::sources {
namespace {

// Below this, a watch that ended without delivering anything counts as a
// failure (backoff) rather than a normal end (immediate re-watch).
constexpr std::chrono::seconds kMinHealthyWatch{1};

// Logs the 1st, 2nd, 4th, 8th... failure in a row.
bool worthLogging(int failures) { return failures == 1 || (failures & (failures - 1)) == 0; }

}  // namespace

KubeReflector::KubeReflector(KubeReflectorOptions options, outbound::HttpClient& client,
                             loop::TimerQueue& timers, KubeReflectorHandler handler)
    : options_(std::move(options)),
      client_(client),
      handler_(std::move(handler)),
      wait_(timers),
      backoff_(options_.backoffInitial, options_.backoffMax) {}

KubeReflector::~KubeReflector() { stop(); }

void KubeReflector::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::make_unique<loop::BlockingPool>(1);
  thread_->post([this] { step(); });
}

void KubeReflector::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wait_.cancel();  // outside mutex_: it waits for a running callback, which takes it
  std::unique_ptr<loop::BlockingPool> thread;
  {
    std::lock_guard lock(mutex_);
    thread.swap(thread_);
  }
  thread.reset();  // joins: the running call ends once the client is cancelled
}

void KubeReflector::nextStepAfter(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (delay.count() <= 0) {
    thread_->post([this] { step(); });
    return;
  }
  wait_.armAfter(delay, [this] {
    std::lock_guard lock(mutex_);
    if (!stopping_) thread_->post([this] { step(); });
  });
}

void KubeReflector::retry(const std::string& error) {
  const std::chrono::milliseconds delay = backoff_.next();
  ++failures_;
  if (worthLogging(failures_)) {
    base::logWarning("kubernetes list/watch failed", {{"collection", options_.what},
                                                      {"error", error},
                                                      {"failures", std::to_string(failures_)},
                                                      {"retry_in_ms", std::to_string(delay.count())}});
  }
  if (handler_.onFailure) handler_.onFailure(error, delay);
  nextStepAfter(delay);
}

void KubeReflector::step() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  if (needList_) {
    KubeListResult list = listCollection(client_, options_.collection, options_.listPageSize);
    if (handler_.onTraffic) handler_.onTraffic(list.requests, list.bytesReceived);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;  // a list cut short by stop() is no failure
    }
    if (!list.ok) return retry(list.error);
    resourceVersion_ = list.resourceVersion;
    needList_ = false;
    backoff_.reset();
    failures_ = 0;
    if (handler_.onList) handler_.onList(list);
  }

  const auto started = std::chrono::steady_clock::now();
  const auto timeout = static_cast<long>(backoff_.spread(options_.watchTimeout).count());
  WatchEnd end = watchCollection(
      client_, options_.collection, resourceVersion_, timeout, options_.maxEventBytes,
      [this] {
        failures_ = 0;
        if (handler_.onConnected) handler_.onConnected();
      },
      [this](const WatchEvent& event) {
        std::string version = objectResourceVersion(event.object);
        if (!version.empty()) resourceVersion_ = std::move(version);
        if (handler_.onEvent) handler_.onEvent(event);
      });
  if (handler_.onTraffic) handler_.onTraffic(1, end.bytesReceived);

  switch (end.kind) {
    case WatchEndKind::kCancelled:
      return;
    case WatchEndKind::kClosed:
      if (end.events > 0) backoff_.reset();
      if (end.events == 0 && std::chrono::steady_clock::now() - started < kMinHealthyWatch)
        return retry(end.message);
      return nextStepAfter(std::chrono::milliseconds(0));  // re-watch from the last resourceVersion seen
    case WatchEndKind::kExpired:
      base::logInfo("kubernetes watch expired; relisting",
                    {{"collection", options_.what}, {"detail", end.message}});
      needList_ = true;
      return nextStepAfter(backoff_.next());
    case WatchEndKind::kRelist:
      needList_ = true;
      return retry(end.message);
    case WatchEndKind::kFailed:
      return retry(end.message);
  }
}

}  // namespace daemonlet::sources
