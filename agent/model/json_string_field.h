#pragma once
// Reading a string member of a Kubernetes object leniently: the API server may
// leave out any optional field, and a missing or non-string one reads as "".
#include <string>

#include "agent/model/types.h"

namespace daemonlet::model {

inline std::string jsonStringField(const Json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace daemonlet::model
