#pragma once
// Decoding a Kubernetes watch stream (API Concepts, "Efficient detection of
// changes"): the body of `GET ...?watch=1` is a sequence of JSON objects
// {"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR", "object": {...}}, one per
// line, arriving in chunks that split lines anywhere. Pure; no I/O.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::sources {

// Reassembles newline-delimited lines from arbitrary chunks. A line longer than
// `maxLineBytes` makes feed() fail: the stream is then unusable and the caller
// drops it (a watch event larger than the body limit is never accepted).
class WatchLineSplitter {
 public:
  explicit WatchLineSplitter(std::size_t maxLineBytes) : maxLineBytes_(maxLineBytes) {}

  // Appends `chunk`; every completed, non-blank line (without "\n" or "\r\n")
  // is appended to `lines`. Returns false when the pending line is too long.
  bool feed(std::string_view chunk, std::vector<std::string>& lines);
  std::size_t pendingBytes() const { return pending_.size(); }

 private:
  std::size_t maxLineBytes_;
  std::string pending_;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view watchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  model::Json object;  // the object; a Status for kError
};

// Parses one line. Fails (kInvalidArgument) on malformed JSON (also JSON nested
// deeper than model::ReadLimits::maxDepth), an unknown type or a missing or
// non-object "object".
base::Result<WatchEvent> parseWatchEvent(std::string_view line);

// A metav1.Status (kind "Status"): what the API server sends as an ERROR
// event's object and as the body of a non-2xx response.
struct ApiStatus {
  int code = 0;         // HTTP-like code: 410 for Expired/Gone
  std::string reason;   // "Expired", "Gone", "Unauthorized", "NotFound", ...
  std::string message;  // human readable
};
// Reads a Status object; nullopt when `object` is not one.
std::optional<ApiStatus> parseApiStatus(const model::Json& object);
// Same from a response body; nullopt when the body is not a Status.
std::optional<ApiStatus> parseApiStatusBody(std::string_view body);
// "410 Expired: too old resource version: 5 (9)" style one-liner.
std::string describeApiStatus(const ApiStatus& status);

// metadata.resourceVersion / "namespace/name" of an object ("" when absent).
// Objects without a namespace (cluster-scoped, e.g. Node) key as their name;
// namespaced objects without one default to "default".
std::string objectResourceVersion(const model::Json& object);
std::string objectKey(const model::Json& object, bool namespaced);

}  // namespace daemonlet::sources
