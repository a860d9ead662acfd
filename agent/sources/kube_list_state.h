#pragma once
// The client-side mirror of one Kubernetes collection (the DaemonSets the
// agent follows): the items of the last LIST plus the watch events applied
// since, and the resourceVersion to resume a watch from. Pure; the caller
// locks. This is what client-go calls a Reflector's store.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/sources/kube_watch_decoder.h"

namespace daemonlet::sources {

class KubeListState {
 public:
  enum class Applied {
    kChanged,    // the item set changed in a way that matters: publish a snapshot
    kUnchanged,  // stored, but only status/resourceVersion moved: no snapshot needed
    kBookmark,   // only the resourceVersion advanced
    kIgnored,    // an object without a name, or an ERROR event (the caller handles those)
  };

  // Replaces everything with a LIST result (a relist clears the old state, as
  // the API docs require after 410 Gone).
  void replace(const std::vector<model::Json>& items, std::string resourceVersion);
  // Applies one ADDED/MODIFIED/DELETED/BOOKMARK event and advances the
  // resourceVersion to the event object's.
  Applied apply(const WatchEvent& event);

  const std::string& resourceVersion() const { return resourceVersion_; }
  std::size_t size() const { return items_.size(); }
  bool contains(const std::string& key) const { return items_.count(key) != 0; }

  // The current items as a JSON DaemonSetList (items sorted by namespace/name,
  // each with apiVersion/kind filled in, since LIST responses omit them), ready
  // for acceptEndpointBody(). Equal item sets give byte-equal "items".
  std::string listBody() const;

  // True when both hold the same items, ignoring status and resourceVersions.
  bool sameItemsAs(const KubeListState& other) const;

 private:
  std::map<std::string, model::Json> items_;  // "namespace/name" -> object
  std::string resourceVersion_;
};

// The object without the parts that change on every write and say nothing
// about what to run: status, metadata.resourceVersion, metadata.managedFields.
model::Json desiredView(const model::Json& object);

}  // namespace daemonlet::sources
