#pragma once
// A field path inside the configuration, rendered the way Kubernetes names fields
// in its errors ("node.taints[1].effect", "node.labels[example.com/zone]"), and
// also as a JSON pointer, which the merge uses to remember which file or flag set
// each field.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace daemonlet::config {

class FieldPath {
 public:
  FieldPath() = default;

  FieldPath child(std::string_view name) const;  // .name
  FieldPath key(std::string_view mapKey) const;  // [mapKey] (entries of a string map)
  FieldPath index(std::size_t i) const;          // [i]

  bool isRoot() const { return segments_.empty(); }
  FieldPath parent() const;  // the root's parent is the root

  std::string render() const;   // "node.taints[1].effect"; "<root>" for the root
  std::string pointer() const;  // "/node/taints/1/effect"; "" for the root

  bool operator==(const FieldPath&) const = default;

 private:
  struct Segment {
    enum class Kind { kChild, kKey, kIndex };
    Kind kind = Kind::kChild;
    std::string text;
    bool operator==(const Segment&) const = default;
  };
  std::vector<Segment> segments_;
};

// One problem with one field, before it is tied to the file or flag that set it.
struct FieldProblem {
  FieldPath field;
  std::string message;  // "Required value", "Invalid value: \"x\": why", ...
};
using FieldProblems = std::vector<FieldProblem>;

// Messages in the wording of k8s.io/apimachinery/pkg/util/validation/field, so
// operators who know kubectl's errors read these the same way.
std::string requiredValue();
std::string invalidValue(std::string_view badValue, std::string_view detail);
std::string unsupportedValue(std::string_view badValue, const std::vector<std::string_view>& supported);
std::string duplicateValue(std::string_view badValue);
std::string quoteValue(std::string_view text);  // JSON-style quoting, as Go's %q

}  // namespace daemonlet::config
