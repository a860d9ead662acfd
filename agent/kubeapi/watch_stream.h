#pragma once
// `?watch=true`: a stream of WatchEvents ({"type":..., "object":...} per line)
// from the object history, filtered by namespace and selectors, as Tables when
// the client asked for them, with a BOOKMARK every kBookmarkInterval when it
// allows them, until timeoutSeconds. A watcher that falls so far behind that the
// history no longer holds its next event gets an ERROR event (410 Expired) and
// the end of the stream, as from the API server, and relists.
// Pulled by the API front's poll thread (status/response_stream.h).
#include <functional>
#include <string>
#include <vector>

#include "agent/kubeapi/object_history.h"
#include "agent/kubeapi/selectors.h"
#include "agent/kubeapi/stream_slots.h"
#include "agent/status/response_stream.h"

namespace daemonlet::kubeapi {

inline constexpr std::chrono::seconds kBookmarkInterval{30};

struct WatchRequest {
  std::string resource;   // "pods", ...
  std::string kind;       // "Pod", ... (bookmarks)
  std::string apiVersion;
  std::string namespace_; // empty: all
  LabelSelector labels;
  FieldSelector fields;
  bool table = false;
  std::string includeObject;
  bool bookmarks = false;
  std::chrono::steady_clock::time_point deadline;
};

class WatchStream final : public status::ResponseStream {
 public:
  // `initial`: ADDED events for the objects that exist (a watch from version 0
  // or none), sent first; then the history's events after `fromVersion`.
  // `refresh` brings the history up to date before each pull. `slot` counts it
  // among the open streams, `watching` among the open watches (KubeApi
  // rebuilds its objects at each publish while there are any).
  WatchStream(const ObjectHistory& history, WatchRequest request, std::vector<WatchEvent> initial,
              std::uint64_t fromVersion, std::function<void()> refresh, StreamSlots::Slot slot,
              StreamSlots::Slot watching);

  std::string contentType() const override { return "application/json"; }
  bool pull(std::string& out, std::size_t budget, std::chrono::steady_clock::time_point now) override;

  // Whether an object passes the request's namespace and selectors.
  static bool selects(const WatchRequest& request, const model::Json& object);

 private:
  void write(const WatchEvent& event, std::string& out) const;

  const ObjectHistory& history_;
  WatchRequest request_;
  std::vector<WatchEvent> initial_;
  std::uint64_t version_;
  std::function<void()> refresh_;
  StreamSlots::Slot slot_;
  StreamSlots::Slot watching_;
  std::chrono::steady_clock::time_point nextBookmark_{};
};

}  // namespace daemonlet::kubeapi
