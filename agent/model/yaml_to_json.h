#pragma once
// Resolves YAML scalars to JSON values, by one of two rule sets: the way
// sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 resolution) does, so a manifest means
// the same here as under kubectl; or by the YAML 1.2 core schema, which the
// agent's own configuration uses (`yes` is text there).
// Internal to the model library (yaml_tree_builder.cpp uses it).
#include <string>
#include <string_view>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::model::yaml {

// Resolves an untagged plain scalar: null, bool, int, float or string.
// Fails only for .inf/.nan, which JSON cannot carry (kubectl fails on them too).
base::Result<Json> resolvePlainScalar(const std::string& text);

// YAML 1.2 core schema: null (~, null), true/false, decimal, 0o octal and 0x hex
// integers (beyond 64 bits: the text), floats, .inf and .nan; anything else is text.
Json resolveCoreSchemaScalar(const std::string& text);

}  // namespace daemonlet::model::yaml
