#pragma once
// One in-memory history of the served objects, the source of both lists and
// watches. Each replace() of a resource's objects compares them with the last
// ones and records ADDED, MODIFIED and DELETED events stamped with a new
// resourceVersion (one counter for every resource, as etcd's revision). Lists
// read the objects as of the latest version; a watch replays the events after
// the version it names. The history keeps the last `maxEvents` events: a watch
// from an older version, or from one this process never issued (an agent
// restart), is refused with 410 Gone and the client relists.
//
// The counter starts at the wall-clock milliseconds of construction, so a
// restarted agent's versions are larger than any its predecessor issued
// (unless the clock went back): an old version always reads as "too old".
// Thread-safe: replace() from the reconciler's publish hook, reads from the API's
// workers and the front's poll thread.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/kubeapi/kube_objects.h"

namespace daemonlet::kubeapi {

struct WatchEvent {
  std::uint64_t version = 0;
  std::string type;  // ADDED, MODIFIED, DELETED
  model::Json object;
};

class ObjectHistory {
 public:
  ObjectHistory(std::uint64_t firstVersion, std::size_t maxEvents);

  void replace(const std::string& resource, const ObjectMap& objects);

  struct Listing {
    std::uint64_t version = 0;
    std::vector<model::Json> items;  // in key order
  };
  Listing list(const std::string& resource) const;

  // The events of `resource` after `version`; nullopt when the history no
  // longer reaches back to it (or never issued it).
  std::optional<std::vector<WatchEvent>> since(const std::string& resource, std::uint64_t version) const;
  std::uint64_t latest() const;

 private:
  struct Stored {
    model::Json bare;     // as built, for comparison
    model::Json stamped;  // with metadata.resourceVersion
  };
  struct Recorded {
    std::string resource;
    WatchEvent event;
  };

  mutable std::mutex mutex_;
  std::size_t maxEvents_;
  std::uint64_t version_;
  std::uint64_t oldest_;  // watches from before this version are too old
  std::map<std::string, std::map<std::string, Stored>> objects_;  // resource -> key -> object
  std::deque<Recorded> events_;
};

}  // namespace daemonlet::kubeapi
