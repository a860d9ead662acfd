#pragma once
// KubeReflector: the one list/watch loop of the Kubernetes API mode, shared by
// the DaemonSet source and the Node follower (client-go's Reflector,
// ListAndWatch):
//   1. LIST the collection (all pages) and hand the items to onList;
//   2. WATCH from the list's resourceVersion; each event goes to onEvent and
//      advances the resourceVersion (bookmarks too);
//   3. a stream the server ends or that stalls -> re-watch from the last
//      resourceVersion, no relist; one that ends within a second without any
//      event is paced by the backoff, so a server that keeps cutting watches is
//      not hammered;
//   4. 410 Gone (HTTP status or an ERROR event with code 410): the history is
//      compacted, a relist is the normal way on (client-go logs it as info and
//      relists): relist after a jittered backoff step, not counted as a failure;
//   5. an ERROR event other than 410/429/5xx -> relist, as a failure;
//      transport failures and other HTTP errors -> back off, then re-watch (or
//      relist while no list has succeeded).
// Failures go to onFailure with the delay before the next try; the backoff
// (kube_retry.h) resets on a successful LIST or a watch that delivered events.
//
// Threading: list and watch are blocking calls and a watch is held open for
// minutes (timeoutSeconds), so they run on the reflector's own thread rather
// than the shared BlockingPool, where a held watch would hold up the reports
// and polls queued behind it. The thread ends while a backoff wait (a Timer on
// the loop's TimerQueue) is longer than a second. Callbacks run on that
// thread, never concurrently with each other.
// stop(): the owner cancels the HttpClient first (it may be shared), then
// stop() waits for the running call to end. The destructor stops.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/outbound/http_client.h"
#include "agent/sources/kube_list_watch.h"
#include "agent/sources/kube_retry.h"

namespace daemonlet::sources {

struct KubeReflectorOptions {
  KubeCollection collection;
  std::string what;              // names the collection in logs: "daemonsets", "node n1"
  std::size_t listPageSize = 0;  // LIST limit; 0: one request
  std::chrono::milliseconds backoffInitial{1000}, backoffMax{30000};
  std::chrono::seconds watchTimeout{300};  // timeoutSeconds sent on watch, spread into [T, 2T)
  std::size_t maxEventBytes = 16u << 20;
};

struct KubeReflectorHandler {
  std::function<void(KubeListResult& list)> onList;  // a successful LIST; items may be moved out
  std::function<void(const WatchEvent& event)> onEvent;
  std::function<void()> onConnected;  // a watch was answered 200 (optional)
  std::function<void(const std::string& error, std::chrono::milliseconds retryIn)> onFailure;  // optional
  std::function<void(std::uint64_t requests, std::uint64_t bytes)> onTraffic;                  // optional
};

class KubeReflector {
 public:
  // `client` and `timers` outlive the reflector.
  KubeReflector(KubeReflectorOptions options, outbound::HttpClient& client, loop::TimerQueue& timers,
                KubeReflectorHandler handler);
  ~KubeReflector();
  KubeReflector(const KubeReflector&) = delete;
  KubeReflector& operator=(const KubeReflector&) = delete;

  void start();  // once: the first LIST right away
  void stop();   // idempotent; cancel the client first

 private:
  void step();  // one LIST (if needed) and one WATCH, then schedules the next step
  void retry(const std::string& error);
  void nextStepAfter(std::chrono::milliseconds delay);

  const KubeReflectorOptions options_;
  outbound::HttpClient& client_;
  const KubeReflectorHandler handler_;
  loop::Timer wait_;

  std::mutex mutex_;  // guards stopping_ and the scheduling of steps
  bool started_ = false;
  bool stopping_ = false;
  std::unique_ptr<loop::BlockingPool> thread_;  // one thread: the reflector's own

  // The reflector's thread only.
  JitteredBackoff backoff_;
  bool needList_ = true;
  std::string resourceVersion_;
  int failures_ = 0;  // in a row, for quiet logging
};

}  // namespace daemonlet::sources
