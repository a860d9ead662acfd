#include "agent/kubeapi/object_history.h"

namespace daemonlet::kubeapi {
namespace {

model::Json stamp(model::Json object, std::uint64_t version) {
  object["metadata"]["resourceVersion"] = std::to_string(version);
  return object;
}

}  // namespace

ObjectHistory::ObjectHistory(std::uint64_t firstVersion, std::size_t maxEvents)
    : maxEvents_(maxEvents == 0 ? 1 : maxEvents), version_(firstVersion), oldest_(firstVersion) {}

void ObjectHistory::replace(const std::string& resource, const ObjectMap& objects) {
  std::lock_guard lock(mutex_);
  auto& current = objects_[resource];
  auto record = [&](const char* type, const model::Json& object) {
    events_.push_back({resource, {version_, type, object}});
    while (events_.size() > maxEvents_) {
      oldest_ = events_.front().event.version;
      events_.pop_front();
    }
  };
  for (auto it = current.begin(); it != current.end();) {
    if (objects.count(it->first)) {
      ++it;
      continue;
    }
    ++version_;
    record("DELETED", stamp(it->second.bare, version_));
    it = current.erase(it);
  }
  for (const auto& [key, object] : objects) {
    auto found = current.find(key);
    if (found != current.end() && found->second.bare == object) continue;
    const char* type = found == current.end() ? "ADDED" : "MODIFIED";
    ++version_;
    Stored stored{object, stamp(object, version_)};
    record(type, stored.stamped);
    current[key] = std::move(stored);
  }
}

ObjectHistory::Listing ObjectHistory::list(const std::string& resource) const {
  std::lock_guard lock(mutex_);
  Listing listing{version_, {}};
  auto found = objects_.find(resource);
  if (found == objects_.end()) return listing;
  for (const auto& [key, stored] : found->second) listing.items.push_back(stored.stamped);
  return listing;
}

std::optional<std::vector<WatchEvent>> ObjectHistory::since(const std::string& resource, std::uint64_t version) const {
  std::lock_guard lock(mutex_);
  if (version < oldest_ || version > version_) return std::nullopt;
  std::vector<WatchEvent> out;
  for (auto it = events_.rbegin(); it != events_.rend() && it->event.version > version; ++it) {
    if (it->resource == resource) out.push_back(it->event);
  }
  return std::vector<WatchEvent>(out.rbegin(), out.rend());
}

std::uint64_t ObjectHistory::latest() const {
  std::lock_guard lock(mutex_);
  return version_;
}

}  // namespace daemonlet::kubeapi
