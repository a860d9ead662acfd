#include "agent/sources/kube_endpoint_source.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "agent/base/log.h"
#include "agent/sources/kube_list_state.h"
#include "agent/sources/kube_node_follower.h"
#include "agent/sources/kube_reflector.h"

namespace daemonlet::sources {

struct KubeEndpointSource::Impl {
  Impl(KubeEndpointOptions o, EndpointCallbacks c, NodeCallback n, const EndpointSnapshot* seed,
       loop::TimerQueue& timers, loop::BlockingPool& pool)
      : options(std::move(o)),
        callbacks(std::move(c)),
        onNode(std::move(n)),
        client(options.client),
        timers(timers),
        pool(pool),
        publishTimer(timers) {
    options.server = trimServerUrl(options.server);
    collection = KubeCollection{options.server, daemonSetCollectionPath(options.namespace_),
                                CollectionQuery{options.labelSelector, ""}};
    url = options.server + collection.path;
    if (!options.labelSelector.empty()) url += "?labelSelector=" + percentEncode(options.labelSelector);
    if (seed) last = *seed;
    health.url = url;
    health.mode = "kubernetes";
  }

  KubeReflectorOptions reflectorOptions() const {
    KubeReflectorOptions reflector;
    reflector.collection = collection;
    reflector.what = url;
    reflector.listPageSize = options.listPageSize;
    reflector.backoffInitial = options.backoffInitial;
    reflector.backoffMax = options.backoffMax;
    reflector.watchTimeout = options.watchTimeout;
    reflector.maxEventBytes = options.client.maxBodyBytes;
    return reflector;
  }

  void onList(KubeListResult& list);
  void onWatchEvent(const WatchEvent& event);
  void onFailure(const std::string& error, std::chrono::milliseconds retryIn);
  void reportSuccess();
  void publishHealth() {
    if (callbacks.onHealth) callbacks.onHealth(health);
  }
  void schedulePublishLocked(std::chrono::milliseconds after);  // under stateMutex
  void publish();                                               // on the pool

  KubeEndpointOptions options;
  EndpointCallbacks callbacks;
  NodeCallback onNode;
  KubeCollection collection;
  std::string url;
  outbound::HttpClient client;
  loop::TimerQueue& timers;
  loop::BlockingPool& pool;

  std::mutex lifecycleMutex;
  bool started = false;
  bool stopped = false;
  std::unique_ptr<KubeReflector> daemonSets;
  std::unique_ptr<KubeNodeFollower> node;

  // Shared by the DaemonSet reflector (writer) and the publisher (reader).
  std::mutex stateMutex;
  std::condition_variable publishEnded;
  KubeListState state;
  bool dirty = false;
  bool stopping = false;
  int publishing = 0;  // publish jobs posted to the pool and not yet ended
  loop::Timer publishTimer;
  // The token bucket of watch-event snapshots, as one time (GCRA): a snapshot
  // may go out once `debounce * (burstSnapshots - 1)` before it; each snapshot
  // moves it one `debounce` on from the later of itself and now (under stateMutex).
  base::TimePoint snapshotsDueFrom{};

  std::mutex publishMutex;               // one snapshot at a time
  std::optional<EndpointSnapshot> last;  // under publishMutex (after start)
  EndpointHealth health;                 // the DaemonSet reflector's thread only (after start)
};

void KubeEndpointSource::Impl::schedulePublishLocked(std::chrono::milliseconds after) {
  if (stopping) return;
  publishTimer.armAfter(after, [this] {
    {
      std::lock_guard lock(stateMutex);
      if (stopping) return;
      ++publishing;
    }
    pool.post([this] {
      publish();
      std::lock_guard lock(stateMutex);
      --publishing;
      publishEnded.notify_all();
    });
  });
}

void KubeEndpointSource::Impl::onList(KubeListResult& list) {
  {
    std::lock_guard lock(stateMutex);
    state.replace(list.items, list.resourceVersion);
    dirty = true;
    schedulePublishLocked(std::chrono::milliseconds(0));  // a list result is published at once
  }
  reportSuccess();
}

void KubeEndpointSource::Impl::onWatchEvent(const WatchEvent& event) {
  std::lock_guard lock(stateMutex);
  if (state.apply(event) != KubeListState::Applied::kChanged) return;
  if (!dirty) {
    // Changes after a quiet spell are published at once (a daemon should not
    // wait for a window meant for storms), up to burstSnapshots of them; then a
    // change waits for the next window, and events until it ends join that
    // snapshot.
    dirty = true;
    const auto now = timers.clock().now();
    const auto allowance = options.debounce * std::max(options.burstSnapshots - 1, 0);
    const auto mayGoAt = std::max(now, snapshotsDueFrom - allowance);
    schedulePublishLocked(std::chrono::ceil<std::chrono::milliseconds>(mayGoAt - now));
    snapshotsDueFrom = std::max(snapshotsDueFrom, now) + options.debounce;
  }
}

void KubeEndpointSource::Impl::onFailure(const std::string& error, std::chrono::milliseconds retryIn) {
  health.connected = false;
  health.lastError = error;
  ++health.consecutiveFailures;
  health.nextAttempt = std::chrono::system_clock::now() + retryIn;
  publishHealth();
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

void KubeEndpointSource::Impl::publish() {
  std::lock_guard publishLock(publishMutex);
  std::string body;
  std::string resourceVersion;
  {
    std::lock_guard lock(stateMutex);
    if (stopping || !dirty) return;
    dirty = false;
    body = state.listBody();
    resourceVersion = state.resourceVersion();
  }
  auto accepted = acceptEndpointBody(body, url, last ? &*last : nullptr);
  if (!accepted) {
    // Our own rendering of JSON objects: failing here is a bug or an absurd object.
    base::logError("kubernetes items could not be accepted",
                   {{"url", url}, {"error", accepted.error().describe()}});
    return;
  }
  accepted->resourceVersion = resourceVersion;
  accepted->fetchedAt = std::chrono::system_clock::now();
  last = std::move(*accepted);
  if (callbacks.onSnapshot) callbacks.onSnapshot(*last);
}

KubeEndpointSource::KubeEndpointSource(KubeEndpointOptions options, EndpointCallbacks callbacks,
                                       NodeCallback onNode, const EndpointSnapshot* seed,
                                       loop::TimerQueue& timers, loop::BlockingPool& pool)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callbacks), std::move(onNode), seed, timers,
                                   pool)) {}

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
  impl->daemonSets = std::make_unique<KubeReflector>(
      impl->reflectorOptions(), impl->client, impl->timers,
      KubeReflectorHandler{[impl](KubeListResult& list) { impl->onList(list); },
                           [impl](const WatchEvent& event) { impl->onWatchEvent(event); },
                           [impl] {
                             if (!impl->health.connected || impl->health.consecutiveFailures > 0)
                               impl->reportSuccess();
                           },
                           [impl](const std::string& error, std::chrono::milliseconds retryIn) {
                             impl->onFailure(error, retryIn);
                           },
                           [impl](std::uint64_t requests, std::uint64_t bytes) {
                             impl->health.requests += requests;
                             impl->health.bytesReceived += bytes;
                           }});
  impl->daemonSets->start();
  if (!impl->options.nodeName.empty()) {
    KubeNodeFollowerOptions nodeOptions{impl->options.server, impl->options.nodeName, impl->options.backoffInitial,
                                        impl->options.backoffMax, impl->options.watchTimeout,
                                        impl->options.client.maxBodyBytes};
    impl->node = std::make_unique<KubeNodeFollower>(nodeOptions, impl->client, impl->timers, impl->onNode);
    impl->node->start();
  }
}

void KubeEndpointSource::stop() {
  std::lock_guard lock(impl_->lifecycleMutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->client.cancel();
  if (impl_->daemonSets) impl_->daemonSets->stop();
  if (impl_->node) impl_->node->stop();
  {
    std::lock_guard stateLock(impl_->stateMutex);
    impl_->stopping = true;
  }
  impl_->publishTimer.cancel();  // outside stateMutex: its callback takes it
  std::unique_lock stateLock(impl_->stateMutex);
  impl_->publishEnded.wait(stateLock, [this] { return impl_->publishing == 0; });
}

}  // namespace daemonlet::sources
