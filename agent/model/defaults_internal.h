#pragma once
// Helpers shared by defaults.cpp and defaults_normalize.cpp. Every helper leaves
// values of the wrong JSON type alone: the decoder reports those.
#include <string>

#include "agent/model/types.h"

namespace daemonlet::model::defaults_detail {

// True when `obj[key]` is absent or null (Go's nil pointer / zero value).
bool isUnset(const Json& obj, const char* key);
// Sets obj[key] = value when it is unset or an empty string.
void defaultString(Json& obj, const char* key, const char* value);
// Returns obj[key] when it is an object; creates {} first when unset and `create`.
Json* objectField(Json& obj, const char* key, bool create);
// Returns obj[key] when it is an array, else nullptr.
Json* arrayField(Json& obj, const char* key);

// Quantities in a ResourceList (or one quantity value) in canonical form.
void canonicalizeQuantity(Json& value);
void canonicalizeResourceList(Json& list);

// Removes keys whose value Go would omit (zero values of non-pointer omitempty
// fields, nulls), then sorts keys, so equal objects serialise identically.
void normalize(Json& object);

// "Always" for ":latest" or untagged images, else "IfNotPresent".
std::string defaultPullPolicy(const std::string& image);

}  // namespace daemonlet::model::defaults_detail
