// ObjectMeta, labels and annotations (ValidateObjectMeta, ValidateLabels,
// ValidateAnnotations).
#include <algorithm>
#include <cctype>

#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {
constexpr std::int64_t kTotalAnnotationSizeLimit = 256 * 1024;
}

void validateLabelName(std::string_view name, const std::string& path, FieldErrors& out) {
  addInvalid(out, path, quote(name), isQualifiedName(name));
}

void validateLabels(const StringMap& labels, const std::string& path, FieldErrors& out) {
  for (const auto& [k, v] : labels) {
    validateLabelName(k, path, out);
    addInvalid(out, path, quote(v), isValidLabelValue(v));
  }
}

void validateAnnotations(const StringMap& annotations, const std::string& path, FieldErrors& out) {
  std::int64_t total = 0;
  for (const auto& [k, v] : annotations) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    addInvalid(out, path, quote(k), isQualifiedName(lower));
    total += static_cast<std::int64_t>(k.size() + v.size());
  }
  if (total > kTotalAnnotationSizeLimit) out.push_back(tooLong(path, kTotalAnnotationSizeLimit));
}

void validateObjectMeta(const ObjectMeta& meta, const std::string& path, FieldErrors& out) {
  if (!meta.generateName.empty())
    addInvalid(out, child(path, "generateName"), quote(meta.generateName), nameIsDnsSubdomain(meta.generateName, true));
  if (meta.name.empty()) {
    if (meta.generateName.empty()) out.push_back(required(child(path, "name"), "name or generateName is required"));
  } else {
    addInvalid(out, child(path, "name"), quote(meta.name), nameIsDnsSubdomain(meta.name, false));
  }
  if (meta.namespace_.empty()) {
    out.push_back(required(child(path, "namespace")));
  } else {
    addInvalid(out, child(path, "namespace"), quote(meta.namespace_), isDns1123Label(meta.namespace_));
  }
  validateNonnegative(meta.generation, child(path, "generation"), out);
  validateLabels(meta.labels, child(path, "labels"), out);
  validateAnnotations(meta.annotations, child(path, "annotations"), out);
}

}  // namespace daemonlet::model::validation_detail
