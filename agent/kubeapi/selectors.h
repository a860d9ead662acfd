#pragma once
// labelSelector and fieldSelector query parameters, as the API server reads them.
// Labels: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
// joined by commas (all must hold). Fields: `path=v`, `path==v`, `path!=v`,
// where path is a dotted field of the object (metadata.name, spec.nodeName,
// status.phase, involvedObject.uid, ...); a field the object lacks reads "".
#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::kubeapi {

class LabelSelector {
 public:
  static base::Result<LabelSelector> parse(const std::string& text);
  bool matches(const model::Json& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  static base::Result<FieldSelector> parse(const std::string& text);
  bool matches(const model::Json& object) const;
  // The value this selector requires `path` to equal, if it does (metadata.name for single-object watches).
  std::optional<std::string> required(const std::string& path) const;

 private:
  struct Requirement {
    std::string path;
    bool equals = true;
    std::string value;
  };
  std::vector<Requirement> requirements_;
};

// The string at a dotted path of `object` ("" when absent; numbers and booleans as text).
std::string fieldValue(const model::Json& object, const std::string& path);

}  // namespace daemonlet::kubeapi
