#include "agent/kubeapi/object_history.h"

namespace daemonlet::kubeapi {
namespace {

void stampVersion(model::Json& object, std::uint64_t version) {
  object["metadata"]["resourceVersion"] = std::to_string(version);
}

// Whether a freshly built object equals a stored (stamped) one but for its
// resourceVersion: the fresh one borrows the stored version for the comparison,
// so no unstamped copy needs keeping.
bool sameButVersion(model::Json& fresh, const model::Json& stored) {
  const model::Json& metadata = stored["metadata"];
  auto version = metadata.find("resourceVersion");
  if (version == metadata.end()) return false;
  fresh["metadata"]["resourceVersion"] = *version;
  return fresh == stored;
}

// Roughly what an object holds on the heap (nlohmann's nodes, std::map nodes,
// string buffers): enough to bound the history by size, not an exact count.
std::size_t approximateHeapBytes(const model::Json& json) {
  constexpr std::size_t kMapNode = 48;  // red-black node header + allocator rounding
  std::size_t bytes = sizeof(model::Json);
  switch (json.type()) {
    case model::Json::value_t::object:
      for (const auto& [key, value] : json.items()) bytes += kMapNode + key.capacity() + approximateHeapBytes(value);
      break;
    case model::Json::value_t::array:
      bytes += sizeof(std::vector<model::Json>);
      for (const auto& value : json) bytes += approximateHeapBytes(value);
      break;
    case model::Json::value_t::string:
      bytes += sizeof(std::string) + json.get_ref<const std::string&>().capacity();
      break;
    default:
      break;
  }
  return bytes;
}

}  // namespace

ObjectHistory::ObjectHistory(std::uint64_t firstVersion, std::size_t maxEvents, std::size_t maxEventBytes)
    : maxEvents_(maxEvents == 0 ? 1 : maxEvents),
      maxEventBytes_(maxEventBytes),
      version_(firstVersion),
      oldest_(firstVersion) {}

void ObjectHistory::record(const std::string& resource, const char* type, std::shared_ptr<const model::Json> object) {
  std::size_t bytes = approximateHeapBytes(*object);
  eventBytes_ += bytes;
  events_.push_back({resource, {version_, type, std::move(object)}, bytes});
  // The newest event stays whatever its size: a watcher needs it to move on.
  while (events_.size() > maxEvents_ || (eventBytes_ > maxEventBytes_ && events_.size() > 1)) {
    oldest_ = events_.front().event.version;
    eventBytes_ -= events_.front().bytes;
    events_.pop_front();
  }
}

void ObjectHistory::replace(const std::string& resource, ObjectMap objects) {
  std::lock_guard lock(mutex_);
  auto& current = objects_[resource];
  for (auto it = current.begin(); it != current.end();) {
    if (objects.count(it->first)) {
      ++it;
      continue;
    }
    ++version_;
    auto gone = std::make_shared<model::Json>(*it->second);
    stampVersion(*gone, version_);
    record(resource, "DELETED", std::move(gone));
    it = current.erase(it);
  }
  for (auto& [key, object] : objects) {
    auto found = current.find(key);
    if (found != current.end() && sameButVersion(object, *found->second)) continue;
    const char* type = found == current.end() ? "ADDED" : "MODIFIED";
    ++version_;
    stampVersion(object, version_);
    auto stored = std::make_shared<const model::Json>(std::move(object));
    current[key] = stored;
    record(resource, type, std::move(stored));
  }
}

ObjectHistory::Listing ObjectHistory::list(const std::string& resource) const {
  std::lock_guard lock(mutex_);
  Listing listing{version_, {}};
  auto found = objects_.find(resource);
  if (found == objects_.end()) return listing;
  listing.items.reserve(found->second.size());
  for (const auto& [key, stored] : found->second) listing.items.push_back(*stored);
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

std::size_t ObjectHistory::eventCount() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

std::size_t ObjectHistory::eventBytes() const {
  std::lock_guard lock(mutex_);
  return eventBytes_;
}

}  // namespace daemonlet::kubeapi
