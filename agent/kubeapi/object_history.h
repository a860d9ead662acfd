#pragma once
// One in-memory history of the served objects, the source of both lists and
// watches. Each replace() of a resource's objects compares them with the last
// ones and records ADDED, MODIFIED and DELETED events stamped with a new
// resourceVersion (one counter for every resource, as etcd's revision). Lists
// read the objects as of the latest version; a watch replays the events after
// the version it names. The history keeps the last `maxEvents` events, and
// fewer when their objects add up to more than about `maxEventBytes`: a watch
// from an older version, or from one this process never issued (an agent
// restart), is refused with 410 Gone and the client relists.
//
// Each object is stored once, stamped, and shared (never changed) by the
// current set and the events that name it: at 200 pods a second unstamped copy
// for comparison and a copy per event were most of the agent's heap (issue 14).
//
// The counter starts at the wall-clock milliseconds of construction, so a
// restarted agent's versions are larger than any its predecessor issued
// (unless the clock went back): an old version always reads as "too old".
// Thread-safe: replace() from KubeApi's refresh, reads from the API's workers
// and the front's poll thread.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/kubeapi/kube_objects.h"

namespace daemonlet::kubeapi {

struct WatchEvent {
  std::uint64_t version = 0;
  std::string type;  // ADDED, MODIFIED, DELETED
  std::shared_ptr<const model::Json> object;  // with metadata.resourceVersion
};

class ObjectHistory {
 public:
  ObjectHistory(std::uint64_t firstVersion, std::size_t maxEvents, std::size_t maxEventBytes = kDefaultMaxEventBytes);

  // About 1000 events of a 2 KiB pod: a watcher pulls every 200 ms, so it
  // needs far less; a list-then-watch needs what changed in between.
  static constexpr std::size_t kDefaultMaxEventBytes = 2 << 20;

  // `objects` carry no resourceVersion (kube_objects.h); taken by value, as the
  // changed ones are stamped and kept.
  void replace(const std::string& resource, ObjectMap objects);

  struct Listing {
    std::uint64_t version = 0;
    std::vector<model::Json> items;  // in key order
  };
  Listing list(const std::string& resource) const;

  // The events of `resource` after `version`; nullopt when the history no
  // longer reaches back to it (or never issued it).
  std::optional<std::vector<WatchEvent>> since(const std::string& resource, std::uint64_t version) const;
  std::uint64_t latest() const;
  // How many events it holds, and their objects' approximate heap bytes (a shared object counted per event).
  std::size_t eventCount() const;
  std::size_t eventBytes() const;

 private:
  struct Recorded {
    std::string resource;
    WatchEvent event;
    std::size_t bytes = 0;
  };
  void record(const std::string& resource, const char* type, std::shared_ptr<const model::Json> object);

  mutable std::mutex mutex_;
  std::size_t maxEvents_;
  std::size_t maxEventBytes_;
  std::uint64_t version_;
  std::uint64_t oldest_;  // watches from before this version are too old
  // resource -> key -> object
  std::map<std::string, std::map<std::string, std::shared_ptr<const model::Json>>> objects_;
  std::deque<Recorded> events_;
  std::size_t eventBytes_ = 0;
};

}  // namespace daemonlet::kubeapi
