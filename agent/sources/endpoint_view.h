#pragma once
// EndpointView: the central endpoint as the desired set last heard of it, shown
// in /status and /metrics (absent without an endpoint). Built by DesiredSet
// (desired_set.h) from the endpoint's health and the snapshot in force; the
// status snapshot carries it as status::EndpointView.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace daemonlet::sources {

struct EndpointView {
  using WallTime = std::chrono::system_clock::time_point;

  std::string url;
  std::string mode;  // "http" or "kubernetes"
  bool connected = false;
  std::string lastError;
  std::optional<WallTime> lastSuccess;
  std::optional<WallTime> nextAttempt;
  int consecutiveFailures = 0;
  // The DaemonSets in force came from the last-known-good cache (no live answer
  // since the agent started); cacheFetchedAt says how old that answer is.
  bool servingFromCache = false;
  bool settled = false;  // a snapshot (cached or live) is in force
  std::optional<WallTime> cacheFetchedAt;
  std::string cacheError;                     // why the cache found at start was not used ("" when none)
  std::optional<WallTime> snapshotFetchedAt;  // of the snapshot in force
  std::string etag;
  std::string resourceVersion;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // failed requests since start
  std::uint64_t notModified = 0;
  std::uint64_t bytesReceived = 0;
};

}  // namespace daemonlet::sources
