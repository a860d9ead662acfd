#pragma once
// The fake API server's storage (test support): objects of two resources
// ("daemonsets", namespaced; "nodes", cluster-scoped), one global resourceVersion
// counter that every write increments (as etcd's revision), and the full event
// history so a watch can resume from any retained resourceVersion and a
// continue token can re-read the list as of its resourceVersion. "Compaction"
// only moves the oldest retained resourceVersion forward. Not thread-safe: the
// server locks around it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace daemonlet::fakekube {

using Json = nlohmann::ordered_json;

struct StoredEvent {
  std::uint64_t resourceVersion = 0;
  std::string resource;  // "daemonsets" | "nodes"
  std::string type;      // ADDED | MODIFIED | DELETED
  std::string key;       // namespace/name or name
  Json object;           // the object after the write (for DELETED: its last state, new resourceVersion)
  Json previous;         // before the write (null for ADDED)
};

class ObjectStore {
 public:
  explicit ObjectStore(std::uint64_t firstResourceVersion = 1000) : current_(firstResourceVersion) {}

  static bool namespaced(const std::string& resource) { return resource == "daemonsets"; }
  // "namespace/name" (namespace defaulted) or "name"; "" when the object has no name.
  static std::string keyOf(const std::string& resource, const Json& object);

  // Creates or updates: fills namespace (default "default"), uid,
  // creationTimestamp, generation (bumped when spec changes) and a new
  // resourceVersion. Returns the stored object.
  Json put(const std::string& resource, Json object);
  // Deletes; false when absent.
  bool remove(const std::string& resource, const std::string& key);

  std::uint64_t currentResourceVersion() const { return current_; }
  std::uint64_t compactedResourceVersion() const { return compacted_; }
  // Watches from below this resourceVersion (and continue tokens minted before
  // it) are answered with 410 Gone from now on.
  void compact() { compacted_ = current_; }

  const std::map<std::string, Json>& objects(const std::string& resource) const;
  // The objects of `resource` as they were at `resourceVersion` (replayed history).
  std::map<std::string, Json> objectsAt(const std::string& resource, std::uint64_t resourceVersion) const;
  std::optional<Json> get(const std::string& resource, const std::string& key) const;

  const std::vector<StoredEvent>& history() const { return history_; }
  // Index of the first history event with resourceVersion > `after`.
  std::size_t historyIndexAfter(std::uint64_t after) const;

 private:
  std::uint64_t current_;
  std::uint64_t compacted_ = 0;
  std::uint64_t nextUid_ = 1;
  std::map<std::string, std::map<std::string, Json>> objects_;
  std::vector<StoredEvent> history_;
};

}  // namespace daemonlet::fakekube
