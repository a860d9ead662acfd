#include "agent/sources/kube_endpoint_source.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/base/log.h"
#include "agent/sources/kube_list_state.h"
#include "agent/sources/kube_list_watch.h"
#include "agent/sources/kube_node_follower.h"
#include "agent/sources/kube_retry.h"

namespace daemonlet::sources {
namespace {

// Below this, a watch that ended without delivering anything counts as a
// failure (backoff) rather than a normal end (immediate re-watch).
constexpr std::chrono::seconds kMinHealthyWatch{1};

bool worthLogging(int failures) { return failures == 1 || (failures & (failures - 1)) == 0; }

}  // namespace

struct KubeEndpointSource::Impl {
  Impl(KubeEndpointOptions o, EndpointCallbacks c, NodeCallback n, const EndpointSnapshot* seed)
      : options(std::move(o)), callbacks(std::move(c)), onNode(std::move(n)), client(options.client),
        backoff(options.backoffInitial, options.backoffMax) {
    options.server = trimServerUrl(options.server);
    collection = KubeCollection{options.server, daemonSetCollectionPath(options.namespace_),
                                CollectionQuery{options.labelSelector, ""}};
    url = options.server + collection.path;
    if (!options.labelSelector.empty()) url += "?labelSelector=" + percentEncode(options.labelSelector);
    if (seed) last = *seed;
    health.url = url;
    health.mode = "kubernetes";
  }

  void runDaemonSets();
  void runPublisher();
  void onWatchEvent(const WatchEvent& event);
  bool retryAfter(const std::string& error);  // false when stopped
  void reportSuccess();
  void publishHealth() {
    if (callbacks.onHealth) callbacks.onHealth(health);
  }

  KubeEndpointOptions options;
  EndpointCallbacks callbacks;
  NodeCallback onNode;
  KubeCollection collection;
  std::string url;
  outbound::HttpClient client;
  StopSignal stopSignal;

  std::mutex lifecycleMutex;
  bool started = false;
  bool stopped = false;
  std::thread daemonSetThread, nodeThread, publisherThread;

  // Shared by the DaemonSet thread (writer) and the publisher (reader).
  std::mutex stateMutex;
  std::condition_variable publishCv;
  KubeListState state;
  bool dirty = false;
  bool stopping = false;
  std::chrono::steady_clock::time_point publishAt;

  std::optional<EndpointSnapshot> last;  // publisher thread only (after start)
  EndpointHealth health;                 // DaemonSet thread only (after start)
  JitteredBackoff backoff;               // DaemonSet thread only
};

void KubeEndpointSource::Impl::onWatchEvent(const WatchEvent& event) {
  std::lock_guard lock(stateMutex);
  if (state.apply(event) != KubeListState::Applied::kChanged) return;
  if (!dirty) {
    dirty = true;
    publishAt = std::chrono::steady_clock::now() + options.debounce;
    publishCv.notify_all();
  }
}

bool KubeEndpointSource::Impl::retryAfter(const std::string& error) {
  auto delay = backoff.next();
  health.connected = false;
  health.lastError = error;
  ++health.consecutiveFailures;
  health.nextAttempt = std::chrono::system_clock::now() + delay;
  publishHealth();
  if (worthLogging(health.consecutiveFailures)) {
    base::logWarning("kubernetes endpoint request failed",
                     {{"url", url},
                      {"error", error},
                      {"failures", std::to_string(health.consecutiveFailures)},
                      {"retry_in_ms", std::to_string(delay.count())}});
  }
  return stopSignal.waitFor(delay);
}

void KubeEndpointSource::Impl::reportSuccess() {
  if (health.consecutiveFailures > 0) {
    base::logInfo("kubernetes endpoint recovered", {{"url", url},
                                                    {"after_failures", std::to_string(health.consecutiveFailures)}});
  }
  health.connected = true;
  health.lastError.clear();
  health.consecutiveFailures = 0;
  health.lastSuccess = std::chrono::system_clock::now();
  health.nextAttempt = {};
  publishHealth();
}

void KubeEndpointSource::Impl::runDaemonSets() {
  bool needList = true;
  while (!stopSignal.requested()) {
    if (needList) {
      KubeListResult list = listCollection(client, collection, options.listPageSize);
      health.requests += list.requests;
      health.bytesReceived += list.bytesReceived;
      if (stopSignal.requested()) return;
      if (!list.ok) {
        if (!retryAfter(list.error)) return;
        continue;
      }
      {
        std::lock_guard lock(stateMutex);
        state.replace(list.items, list.resourceVersion);
        dirty = true;
        publishAt = std::chrono::steady_clock::now();  // a list result is published at once
      }
      publishCv.notify_all();
      needList = false;
      backoff.reset();
      reportSuccess();
    }

    std::string from;
    {
      std::lock_guard lock(stateMutex);
      from = state.resourceVersion();
    }
    const auto started = std::chrono::steady_clock::now();
    WatchEnd end = watchCollection(
        client, collection, from, static_cast<long>(backoff.spread(options.watchTimeout).count()),
        options.client.maxBodyBytes,
        [this] {
          if (!health.connected || health.consecutiveFailures > 0) reportSuccess();
        },
        [this](const WatchEvent& event) { onWatchEvent(event); });
    ++health.requests;
    health.bytesReceived += end.bytesReceived;

    switch (end.kind) {
      case WatchEndKind::kCancelled:
        return;
      case WatchEndKind::kClosed:
        if (end.events > 0) backoff.reset();
        if (end.events == 0 && std::chrono::steady_clock::now() - started < kMinHealthyWatch) {
          if (!retryAfter(end.message)) return;
        }
        break;  // re-watch from the last resourceVersion seen
      case WatchEndKind::kExpired:
        base::logInfo("kubernetes watch expired; relisting", {{"url", url}, {"detail", end.message}});
        needList = true;
        if (!stopSignal.waitFor(backoff.next())) return;
        break;
      case WatchEndKind::kRelist:
        needList = true;
        if (!retryAfter(end.message)) return;
        break;
      case WatchEndKind::kFailed:
        if (!retryAfter(end.message)) return;
        break;
    }
  }
}

void KubeEndpointSource::Impl::runPublisher() {
  while (true) {
    std::string body;
    std::string resourceVersion;
    {
      std::unique_lock lock(stateMutex);
      publishCv.wait(lock, [this] { return stopping || dirty; });
      if (stopping) return;
      // Events arriving until publishAt join this snapshot.
      if (publishCv.wait_until(lock, publishAt, [this] { return stopping; })) return;
      dirty = false;
      body = state.listBody();
      resourceVersion = state.resourceVersion();
    }
    auto accepted = acceptEndpointBody(body, url, last ? &*last : nullptr);
    if (!accepted) {
      // Our own rendering of JSON objects: failing here is a bug or an absurd object.
      base::logError("kubernetes items could not be accepted", {{"url", url}, {"error", accepted.error().describe()}});
      continue;
    }
    accepted->resourceVersion = resourceVersion;
    accepted->fetchedAt = std::chrono::system_clock::now();
    last = std::move(*accepted);
    if (callbacks.onSnapshot) callbacks.onSnapshot(*last);
  }
}

KubeEndpointSource::KubeEndpointSource(KubeEndpointOptions options, EndpointCallbacks callbacks, NodeCallback onNode,
                                       const EndpointSnapshot* seed)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callbacks), std::move(onNode), seed)) {}

KubeEndpointSource::~KubeEndpointSource() { stop(); }

const std::string& KubeEndpointSource::collectionUrl() const { return impl_->url; }

void KubeEndpointSource::start() {
  std::lock_guard lock(impl_->lifecycleMutex);
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  if (impl_->options.server.rfind("http://", 0) == 0) {
    base::logWarning("kubernetes API server over plain http: traffic and token are not protected",
                     {{"url", impl_->url}});
  }
  Impl* impl = impl_.get();
  impl->publisherThread = std::thread([impl] { impl->runPublisher(); });
  impl->daemonSetThread = std::thread([impl] { impl->runDaemonSets(); });
  if (!impl->options.nodeName.empty()) {
    KubeNodeFollowerOptions nodeOptions{impl->options.server, impl->options.nodeName, impl->options.backoffInitial,
                                        impl->options.backoffMax, impl->options.watchTimeout,
                                        impl->options.client.maxBodyBytes};
    impl->nodeThread = std::thread([impl, nodeOptions] {
      KubeNodeFollower follower(nodeOptions, impl->client, impl->stopSignal, impl->onNode);
      follower.run();
    });
  }
}

void KubeEndpointSource::stop() {
  std::lock_guard lock(impl_->lifecycleMutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopSignal.request();
  impl_->client.cancel();
  {
    std::lock_guard stateLock(impl_->stateMutex);
    impl_->stopping = true;
  }
  impl_->publishCv.notify_all();
  for (std::thread* thread : {&impl_->daemonSetThread, &impl_->nodeThread, &impl_->publisherThread}) {
    if (thread->joinable()) thread->join();
  }
}

}  // namespace daemonlet::sources
