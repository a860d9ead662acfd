#include "config/config_merge.h"

namespace daemonlet::config {

void LayeredConfig::apply(const model::Json& layer, const Origin& origin) {
  mergeInto(merged_, layer, FieldPath(), origin);
}

void LayeredConfig::mergeInto(model::Json& target, const model::Json& overlay, const FieldPath& at,
                              const Origin& origin) {
  for (const auto& [key, value] : overlay.items()) {
    const FieldPath path = at.child(key);
    if (value.is_null()) {
      target.erase(key);
      forgetBelow(path);
      origins_.erase(path.pointer());
      continue;
    }
    const auto existing = target.find(key);
    if (value.is_object() && existing != target.end() && existing->is_object()) {
      mergeInto(*existing, value, path, origin);
      continue;
    }
    target[key] = value;
    forgetBelow(path);
    origins_[path.pointer()] = origin;
  }
}

void LayeredConfig::forgetBelow(const FieldPath& field) {
  const std::string prefix = field.pointer() + "/";
  for (auto it = origins_.lower_bound(prefix); it != origins_.end() && it->first.starts_with(prefix);) {
    it = origins_.erase(it);
  }
}

const Origin* LayeredConfig::originOf(const FieldPath& field) const {
  FieldPath probe = field;
  while (true) {
    const auto it = origins_.find(probe.pointer());
    if (it != origins_.end()) return &it->second;
    if (probe.isRoot()) return nullptr;
    probe = probe.parent();
  }
}

}  // namespace daemonlet::config
