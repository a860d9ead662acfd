#pragma once
// The endpoint's last-known-good cache: the last accepted EndpointSnapshot, kept in
// <stateDir>/endpoint/cache.json so a node that restarts without network runs the
// fleet's daemons from it before any network contact (README "Central endpoint").
//
// File format (JSON, written atomically: temp file, fsync, rename, directory fsync):
//   {"apiVersion": "daemonlet.io/v1alpha1", "kind": "EndpointCache",
//    "url": ..., "etag": ..., "lastModified": ..., "resourceVersion": ...,
//    "fetchedAt": "2026-11-27T20:55:00Z",
//    "items": [<each accepted DaemonSet as the endpoint served it>],
//    "errors": [{"origin": ..., "message": ...}]}
//
// Loading re-reads `items` through acceptEndpointBody (as a DaemonSetList), so a
// cache written by an older agent is validated again by this one's rules.
//
// Contract:
// - save() is called only with accepted snapshots; a failed save leaves the old
//   file whole and returns the error (the caller logs it; the snapshot still applies).
// - load() never throws and never crashes on bad input. It ignores (logging why)
//   a cache written for another URL (left in place; the next save replaces it) and
//   a corrupt one, which it renames to cache.json.corrupt-<UTC time> so it is
//   kept for inspection and not read again.
// - Not thread-safe: one thread (the endpoint source's) saves; load() runs once at
//   start, before the source starts.
#include <filesystem>
#include <optional>
#include <string>

#include "agent/base/result.h"
#include "agent/sources/endpoint_snapshot.h"

namespace daemonlet::sources {

inline constexpr std::string_view kEndpointCacheKind = "EndpointCache";
inline constexpr std::string_view kEndpointCacheApiVersion = "daemonlet.io/v1alpha1";

class EndpointCache {
 public:
  explicit EndpointCache(const std::filesystem::path& stateDir);

  base::Status save(const EndpointSnapshot& snapshot);

  // The cached snapshot for `url`, or nullopt (none, another URL, corrupt).
  std::optional<EndpointSnapshot> load(const std::string& url);

  const std::filesystem::path& path() const { return path_; }

  // Why the last load() found no usable cache although a file was there
  // (unreadable, corrupt and where it was kept, another URL's); "" otherwise.
  // Shown in /status (endpoint.cacheError) so an operator sees why a node that
  // lost its endpoint does not run the fleet's daemons from the cache.
  const std::string& loadError() const { return loadError_; }

 private:
  void setAside(const std::string& why);

  std::filesystem::path path_;
  std::string loadError_;
};

// The cache document for `snapshot` (exposed for tests).
std::string endpointCacheDocument(const EndpointSnapshot& snapshot);

}  // namespace daemonlet::sources
