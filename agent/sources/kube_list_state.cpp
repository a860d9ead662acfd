#include "agent/sources/kube_list_state.h"

namespace daemonlet::sources {

model::Json desiredView(const model::Json& object) {
  model::Json view = object;
  if (!view.is_object()) return view;
  view.erase("status");
  auto metadata = view.find("metadata");
  if (metadata != view.end() && metadata->is_object()) {
    metadata->erase("resourceVersion");
    metadata->erase("managedFields");
  }
  return view;
}

void KubeListState::replace(const std::vector<model::Json>& items, std::string resourceVersion) {
  items_.clear();
  for (const model::Json& item : items) {
    std::string key = objectKey(item, /*namespaced=*/true);
    if (!key.empty()) items_[key] = item;
  }
  resourceVersion_ = std::move(resourceVersion);
}

KubeListState::Applied KubeListState::apply(const WatchEvent& event) {
  if (event.type == WatchEventType::kError) return Applied::kIgnored;
  std::string version = objectResourceVersion(event.object);
  if (!version.empty()) resourceVersion_ = version;
  if (event.type == WatchEventType::kBookmark) return Applied::kBookmark;

  std::string key = objectKey(event.object, /*namespaced=*/true);
  if (key.empty()) return Applied::kIgnored;
  auto existing = items_.find(key);
  if (event.type == WatchEventType::kDeleted) {
    if (existing == items_.end()) return Applied::kUnchanged;
    items_.erase(existing);
    return Applied::kChanged;
  }
  // ADDED and MODIFIED both mean "this is the object now": after a re-watch an
  // ADDED may repeat an object we already hold, and that must not count as change.
  bool changed = existing == items_.end() || desiredView(existing->second) != desiredView(event.object);
  items_[key] = event.object;
  return changed ? Applied::kChanged : Applied::kUnchanged;
}

std::string KubeListState::listBody() const {
  model::Json items = model::Json::array();
  for (const auto& [key, object] : items_) {
    model::Json item = {{"apiVersion", "apps/v1"}, {"kind", "DaemonSet"}};
    if (object.is_object()) {
      for (const auto& [field, value] : object.items()) item[field] = value;
    }
    items.push_back(std::move(item));
  }
  model::Json list = {{"apiVersion", "apps/v1"},
                      {"kind", "DaemonSetList"},
                      {"metadata", {{"resourceVersion", resourceVersion_}}},
                      {"items", std::move(items)}};
  return list.dump();
}

bool KubeListState::sameItemsAs(const KubeListState& other) const {
  if (items_.size() != other.items_.size()) return false;
  for (auto mine = items_.begin(), theirs = other.items_.begin(); mine != items_.end(); ++mine, ++theirs) {
    if (mine->first != theirs->first || desiredView(mine->second) != desiredView(theirs->second)) return false;
  }
  return true;
}

}  // namespace daemonlet::sources
