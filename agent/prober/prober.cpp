#include "agent/prober/prober.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <utility>

#include "agent/base/log.h"
#include "agent/prober/probe_spec.h"

namespace daemonlet::prober {
namespace {

// httpGet and grpc attempts block a pool thread for at most timeoutSeconds each.
// A small pool bounds the agent's threads; with more slow HTTP probes than
// threads, attempts queue and start late (their timeout starts when they run).
// Its threads start with the first attempt and end after a second without one,
// so an agent without HTTP or gRPC probes keeps none. The prober has its own
// pool, not the agent's shared one: slow probes must not hold up a report or a poll.
constexpr std::size_t kBlockingThreads = 4;

using SteadyClock = std::chrono::steady_clock;

}  // namespace

const char* probeKindName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup:
      return "startup";
    case ProbeKind::kLiveness:
      return "liveness";
    case ProbeKind::kReadiness:
      return "readiness";
  }
  return "unknown";
}

// One probe of one container: its schedule, its in-flight attempt and the
// consecutive-result counting that turns attempts into verdicts.
struct ProbeLoop {
  ProbeLoop(boost::asio::io_context& io, ProbeKind kind, ResolvedProbe probe, std::optional<bool> initial)
      : kind(kind), probe(std::move(probe)), timer(io), verdict(initial) {}

  ProbeKind kind;
  ResolvedProbe probe;
  boost::asio::steady_timer timer;
  std::shared_ptr<ProbeAttempt> attempt;
  std::optional<bool> verdict;     // last reported, or the initial value (startup: none)
  std::optional<bool> lastResult;  // of the last attempt
  int run = 0;                     // consecutive attempts with lastResult
  SteadyClock::time_point lastStart;
};

// All probes of one container instance. Owned by Prober::workers_ only; timers
// and attempts hold weak references, so stop() ends everything at once.
struct Prober::Worker : std::enable_shared_from_this<Prober::Worker> {
  Worker(Prober& owner, ProbeKey key)
      : owner(owner), key(std::move(key)), containerStart(SteadyClock::now()) {}

  void begin() {
    if (startup) return activate(*startup);
    startOtherProbes();
  }

  void shutdown() {
    stopped = true;
    for (ProbeLoop* loop : {startup.get(), liveness.get(), readiness.get()}) {
      if (loop == nullptr) continue;
      loop->timer.cancel();
      if (loop->attempt) loop->attempt->cancel();
      loop->attempt.reset();
    }
  }

  ProbeLoop* loopFor(ProbeKind kind) {
    switch (kind) {
      case ProbeKind::kStartup:
        return startup.get();
      case ProbeKind::kLiveness:
        return liveness.get();
      case ProbeKind::kReadiness:
        return readiness.get();
    }
    return nullptr;
  }

  // Liveness and readiness wait for the startup probe; initialDelaySeconds still
  // counts from the container's start, as in the kubelet.
  void startOtherProbes() {
    if (liveness) activate(*liveness);
    if (readiness) activate(*readiness);
  }

  void activate(ProbeLoop& loop) {
    scheduleAt(loop, std::max(containerStart + loop.probe.timing.initialDelay, SteadyClock::now()));
  }

  void scheduleAt(ProbeLoop& loop, SteadyClock::time_point when) {
    loop.timer.expires_at(when);
    loop.timer.async_wait([weak = weak_from_this(), kind = loop.kind](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      self->runAttempt(*self->loopFor(kind));
    });
  }

  void runAttempt(ProbeLoop& loop) {
    loop.lastStart = SteadyClock::now();
    loop.attempt = startProbeAttempt(owner.io_, *owner.blockingPool_, loop.probe,
                                     [weak = weak_from_this(), kind = loop.kind](ProbeOutcome outcome) {
                                       auto self = weak.lock();
                                       if (!self || self->stopped) return;  // stopped: drop the result
                                       self->onOutcome(*self->loopFor(kind), std::move(outcome));
                                     });
  }

  void onOutcome(ProbeLoop& loop, ProbeOutcome outcome) {
    loop.attempt.reset();
    const bool result = outcome.success;
    if (loop.lastResult == result) {
      ++loop.run;
    } else {
      loop.lastResult = result;
      loop.run = 1;
    }
    const ProbeTiming& timing = loop.probe.timing;
    const bool reached = loop.run >= (result ? timing.successThreshold : timing.failureThreshold);
    if (!result && owner.onFailure_) owner.onFailure_(key, loop.kind, outcome.message);
    if (!result && !reached) {
      base::logDebug("probe failed", {{"pod", key.podUid},
                                      {"container", key.container},
                                      {"probe", probeKindName(loop.kind)},
                                      {"reason", outcome.message}});
    }

    // A failed liveness or startup verdict means a restart: hold until the next
    // container instance (a new start()). A startup success ends startup probing.
    bool hold = false;
    if (reached && !result && loop.kind != ProbeKind::kReadiness) {
      hold = true;
      loop.run = 0;
    }
    if (reached && result && loop.kind == ProbeKind::kStartup) hold = true;
    if (!hold) scheduleAt(loop, std::max(loop.lastStart + timing.period, SteadyClock::now()));

    if (!reached || loop.verdict == result) return;
    loop.verdict = result;
    if (loop.kind == ProbeKind::kStartup && result) startOtherProbes();
    base::logInfo(result ? "probe succeeded" : "probe failed; verdict changed",
                  {{"pod", key.podUid},
                   {"container", key.container},
                   {"probe", probeKindName(loop.kind)},
                   {"success", result ? "true" : "false"},
                   {"reason", outcome.message}});
    // The handler may stop or replace this worker; our caller holds a strong
    // reference, and nothing below touches state.
    owner.onResult_(key, loop.kind, result);
  }

  Prober& owner;
  ProbeKey key;
  SteadyClock::time_point containerStart;
  std::unique_ptr<ProbeLoop> startup;
  std::unique_ptr<ProbeLoop> liveness;
  std::unique_ptr<ProbeLoop> readiness;
  bool stopped = false;
};

Prober::Prober(boost::asio::io_context& io, ResultHandler onResult)
    : io_(io),
      onResult_(std::move(onResult)),
      blockingPool_(std::make_unique<loop::BlockingPool>(kBlockingThreads)) {}

Prober::~Prober() {
  stopAll();
  // Cancelled curl transfers end at their next progress callback, which libcurl
  // calls at least once a second, so this wait takes about a second at most.
  blockingPool_.reset();
}

void Prober::start(const ProbeKey& key, const model::Container& container, const ProbeTarget& target) {
  stop(key);
  auto worker = std::make_shared<Worker>(*this, key);
  // Initial verdicts (nothing is reported until one changes): startup unknown,
  // liveness true, readiness unknown. Readiness starts unknown, not false, so its
  // first verdict is always reported: an adopted container that the previous
  // agent saw Ready must lose Ready when its first probe here fails.
  if (container.startupProbe) {
    worker->startup = std::make_unique<ProbeLoop>(
        io_, ProbeKind::kStartup,
        resolveProbe(*container.startupProbe, ProbeKind::kStartup, container, target), std::nullopt);
  }
  if (container.livenessProbe) {
    worker->liveness = std::make_unique<ProbeLoop>(
        io_, ProbeKind::kLiveness,
        resolveProbe(*container.livenessProbe, ProbeKind::kLiveness, container, target), true);
  }
  if (container.readinessProbe) {
    worker->readiness = std::make_unique<ProbeLoop>(
        io_, ProbeKind::kReadiness,
        resolveProbe(*container.readinessProbe, ProbeKind::kReadiness, container, target), std::nullopt);
  }
  if (!worker->startup && !worker->liveness && !worker->readiness) return;
  worker->begin();
  workers_[key] = std::move(worker);
}

void Prober::stop(const ProbeKey& key) {
  auto it = workers_.find(key);
  if (it == workers_.end()) return;
  it->second->shutdown();
  workers_.erase(it);
}

void Prober::stopAll() {
  for (auto& [key, worker] : workers_) worker->shutdown();
  workers_.clear();
}

}  // namespace daemonlet::prober
