#pragma once
// Resolves YAML scalars to JSON values the way sigs.k8s.io/yaml (go-yaml v2, YAML
// 1.1 resolution) does, so a manifest means the same here as under kubectl.
// Internal to the model library (yaml_tree_builder.cpp uses it).
#include <string>
#include <string_view>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::model::yaml {

// Resolves an untagged plain scalar: null, bool, int, float or string.
// Fails only for .inf/.nan, which JSON cannot carry (kubectl fails on them too).
base::Result<Json> resolvePlainScalar(const std::string& text);

}  // namespace daemonlet::model::yaml
