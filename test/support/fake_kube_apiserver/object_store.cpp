#include "object_store.h"

#include <algorithm>

namespace daemonlet::fakekube {
namespace {

std::string stringAt(const Json& object, const char* field) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return "";
  auto it = object["metadata"].find(field);
  return (it != object["metadata"].end() && it->is_string()) ? it->get<std::string>() : "";
}

}  // namespace

std::string ObjectStore::keyOf(const std::string& resource, const Json& object) {
  std::string name = stringAt(object, "name");
  if (name.empty()) return "";
  if (!namespaced(resource)) return name;
  std::string ns = stringAt(object, "namespace");
  return (ns.empty() ? "default" : ns) + "/" + name;
}

Json ObjectStore::put(const std::string& resource, Json object) {
  // apiVersion and kind first, as the API server writes objects. (Rebuilding
  // also matters for references below: ordered_json inserts can move members.)
  Json typed = {{"apiVersion", resource == "daemonsets" ? "apps/v1" : "v1"},
                {"kind", resource == "daemonsets" ? "DaemonSet" : "Node"}};
  if (object.is_object()) {
    for (auto& [field, value] : object.items()) {
      if (field != "apiVersion" && field != "kind") typed[field] = std::move(value);
    }
  }
  object = std::move(typed);
  if (!object.contains("metadata") || !object["metadata"].is_object()) object["metadata"] = Json::object();
  Json& metadata = object["metadata"];
  if (namespaced(resource) && stringAt(object, "namespace").empty()) metadata["namespace"] = "default";
  if (!namespaced(resource)) metadata.erase("namespace");
  const std::string key = keyOf(resource, object);
  auto& store = objects_[resource];
  auto existing = store.find(key);
  Json previous;
  if (existing != store.end()) {
    previous = existing->second;
    metadata["uid"] = previous["metadata"].value("uid", "");
    metadata["creationTimestamp"] = previous["metadata"].value("creationTimestamp", "");
    std::int64_t generation = previous["metadata"].value("generation", std::int64_t{1});
    if (previous.value("spec", Json()) != object.value("spec", Json())) ++generation;
    metadata["generation"] = generation;
  } else {
    metadata["uid"] = "00000000-0000-4000-8000-" + std::to_string(100000000000 + nextUid_++);
    metadata["creationTimestamp"] = "2026-01-01T00:00:00Z";
    metadata["generation"] = 1;
  }
  metadata["resourceVersion"] = std::to_string(++current_);
  store[key] = object;
  history_.push_back(StoredEvent{current_, resource, previous.is_null() ? "ADDED" : "MODIFIED", key, object, previous});
  return object;
}

bool ObjectStore::remove(const std::string& resource, const std::string& key) {
  auto& store = objects_[resource];
  auto existing = store.find(key);
  if (existing == store.end()) return false;
  Json previous = existing->second;
  Json last = previous;
  last["metadata"]["resourceVersion"] = std::to_string(++current_);
  store.erase(existing);
  history_.push_back(StoredEvent{current_, resource, "DELETED", key, last, previous});
  return true;
}

const std::map<std::string, Json>& ObjectStore::objects(const std::string& resource) const {
  static const std::map<std::string, Json> kEmpty;
  auto it = objects_.find(resource);
  return it == objects_.end() ? kEmpty : it->second;
}

std::map<std::string, Json> ObjectStore::objectsAt(const std::string& resource, std::uint64_t resourceVersion) const {
  std::map<std::string, Json> state;
  for (const StoredEvent& event : history_) {
    if (event.resourceVersion > resourceVersion) break;
    if (event.resource != resource) continue;
    if (event.type == "DELETED") state.erase(event.key);
    else state[event.key] = event.object;
  }
  return state;
}

std::optional<Json> ObjectStore::get(const std::string& resource, const std::string& key) const {
  const auto& store = objects(resource);
  auto it = store.find(key);
  if (it == store.end()) return std::nullopt;
  return it->second;
}

std::size_t ObjectStore::historyIndexAfter(std::uint64_t after) const {
  auto it = std::upper_bound(history_.begin(), history_.end(), after,
                             [](std::uint64_t rv, const StoredEvent& event) { return rv < event.resourceVersion; });
  return static_cast<std::size_t>(it - history_.begin());
}

}  // namespace daemonlet::fakekube
