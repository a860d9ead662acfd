#pragma once
// HttpEndpointSource: polls one URL that serves the fleet's DaemonSets (a
// DaemonSetList/List as JSON, or a YAML stream) from any HTTP(S) server and reports accepted snapshots and
// endpoint health through EndpointCallbacks.
//
// Each poll is a conditional GET (If-None-Match / If-Modified-Since from the last
// accepted snapshot, or from the seed loaded from the cache):
// - 304: nothing new; health counts it (notModified) and the poll interval follows.
// - 200: the body goes through acceptEndpointBody(); a well-formed body becomes
//   the new snapshot (rejected DaemonSets listed in its errors, last good
//   versions kept), with ETag, Last-Modified and fetch time filled in.
// - A body that is not well-formed, any other status, or a transport failure
//   produces no snapshot: the previous one stays in force. Health carries the
//   error (naming the URL) and the next poll is pushed out by exponential backoff
//   (see poll_schedule.h); the first success resets it.
//
// Threading: the wait between polls is a Timer on the loop's TimerQueue; each
// poll (the blocking GET) runs on the shared BlockingPool, one at a time, and
// the callbacks run there too; they must not call stop(). stop() cancels a
// request in flight and waits for it, promptly; the destructor stops.
// pollNow() may be called from any thread (tests do; SIGHUP does not poll).
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/outbound/http_client.h"
#include "agent/sources/endpoint_snapshot.h"
#include "agent/sources/poll_schedule.h"

namespace daemonlet::sources {

struct HttpEndpointOptions {
  std::string url;
  outbound::ClientSettings client;
  std::chrono::milliseconds pollInterval{30000};
  double jitter = 0.1;  // fraction of each delay, applied ±
  std::chrono::milliseconds backoffInitial{1000};
  std::chrono::milliseconds backoffMax{300000};
};

class HttpEndpointSource {
 public:
  // `seed` (may be null) is the snapshot loaded from the last-known-good cache:
  // its validators are sent on the first poll and its DaemonSets are the last
  // good versions for items the endpoint serves broken. Copied; not kept.
  // `timers` and `pool` outlive the source.
  HttpEndpointSource(HttpEndpointOptions options, EndpointCallbacks callbacks, const EndpointSnapshot* seed,
                     loop::TimerQueue& timers, loop::BlockingPool& pool);
  ~HttpEndpointSource();
  HttpEndpointSource(const HttpEndpointSource&) = delete;
  HttpEndpointSource& operator=(const HttpEndpointSource&) = delete;

  void start();    // first poll right away
  void stop();     // idempotent
  void pollNow();  // skip the rest of the current wait (interval or backoff)

 private:
  void startPollLocked();  // hands one poll to the pool (under mutex_)
  void poll();             // on the pool
  bool pollOnce();  // true on success (200 accepted or 304)
  void recordSuccess();
  void recordFailure(const std::string& message);
  std::chrono::milliseconds nextDelay();

  const HttpEndpointOptions options_;
  const EndpointCallbacks callbacks_;
  const PollSchedule schedule_;
  std::unique_ptr<outbound::HttpClient> client_;

  loop::BlockingPool& pool_;
  loop::Timer next_;  // the next poll

  // The poll in flight only (one at a time) once started.
  std::optional<EndpointSnapshot> last_;
  EndpointHealth health_;
  std::mt19937_64 random_;
  int loggedFailures_ = 0;

  std::mutex mutex_;  // guards the flags below
  std::condition_variable pollEnded_;
  bool started_ = false;
  bool stopping_ = false;
  bool polling_ = false;        // a poll is on the pool
  bool pollRequested_ = false;  // pollNow() during a poll: poll again at once
};

}  // namespace daemonlet::sources
