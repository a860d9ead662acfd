#pragma once
// Layers the configuration documents (file, drop-ins, then one layer per flag) into
// one, remembering which layer set each field so an error can name the file or
// flag to fix. Merge rule: maps merge key by key; scalars and lists replace; an
// explicit null removes the field (back to the default).
#include <filesystem>
#include <map>
#include <string>

#include "agent/model/types.h"
#include "config/field_path.h"

namespace daemonlet::config {

// Who set a field: a file path or a flag name ("--node-labels"), and the directory
// a relative path in that layer is relative to (the file's directory; the working
// directory for flags).
struct Origin {
  std::string name;
  std::filesystem::path baseDir;
};

class LayeredConfig {
 public:
  // `layer` must be an object (the caller checked its shape).
  void apply(const model::Json& layer, const Origin& origin);

  const model::Json& merged() const { return merged_; }
  // The layer that set `field`, or else the nearest enclosing field that has one;
  // nullptr when nothing set it (a default).
  const Origin* originOf(const FieldPath& field) const;

 private:
  void mergeInto(model::Json& target, const model::Json& overlay, const FieldPath& at, const Origin& origin);
  void forgetBelow(const FieldPath& field);

  model::Json merged_ = model::Json::object();
  std::map<std::string, Origin> origins_;  // by JSON pointer
};

}  // namespace daemonlet::config
