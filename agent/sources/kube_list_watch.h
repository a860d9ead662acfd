#pragma once
// One Kubernetes LIST (all pages) and one WATCH session, as blocking calls over
// outbound::HttpClient. Shared by the DaemonSet source and the Node follower;
// the retry policy around them lives in the callers.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/outbound/http_client.h"
#include "agent/sources/kube_request_urls.h"
#include "agent/sources/kube_watch_decoder.h"

namespace daemonlet::sources {

struct KubeCollection {
  std::string server;  // "https://host:6443"
  std::string path;    // "/apis/apps/v1/daemonsets"
  CollectionQuery query;
};

struct KubeListResult {
  bool ok = false;
  std::vector<model::Json> items;  // in server order, all pages
  std::string resourceVersion;     // the list's (first page's) resourceVersion
  std::string error;               // one line when !ok
  int httpStatus = 0;              // the failing response's status, 0 for transport failures
  std::uint64_t requests = 0;
  std::uint64_t bytesReceived = 0;
};

// LIST with `limit` = pageSize (0: one request) following `continue` tokens. A
// 410 on a continue request (the token expired) restarts the list from the
// first page, at most `maxRestarts` times, since pages of different snapshots
// must not be mixed.
KubeListResult listCollection(outbound::HttpClient& client, const KubeCollection& collection, std::size_t pageSize,
                              int maxRestarts = 3);

enum class WatchEndKind {
  kClosed,     // the server ended a 200 stream (timeoutSeconds, drop) or it stalled: re-watch from the last RV
  kExpired,    // 410 Gone (HTTP status or ERROR event): relist
  kFailed,     // transport failure, non-200 status, malformed stream: back off, re-watch from the last RV
  kRelist,     // an ERROR event other than 410/429/5xx: back off, relist
  kCancelled,  // HttpClient::cancel()
};

struct WatchEnd {
  WatchEndKind kind = WatchEndKind::kClosed;
  std::string message;      // why, one line
  std::size_t events = 0;   // events delivered (bookmarks included)
  std::uint64_t bytesReceived = 0;
};

// Watches from `resourceVersion` until the stream ends. `onEvent` gets each
// ADDED/MODIFIED/DELETED/BOOKMARK event in order (ERROR events end the watch
// and are reported through the WatchEnd). `onConnected` runs once the server
// answered 200.
WatchEnd watchCollection(outbound::HttpClient& client, const KubeCollection& collection,
                         const std::string& resourceVersion, long timeoutSeconds, std::size_t maxEventBytes,
                         const std::function<void()>& onConnected,
                         const std::function<void(const WatchEvent&)>& onEvent);

}  // namespace daemonlet::sources
