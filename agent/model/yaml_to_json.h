#pragma once
// Converts yaml-cpp nodes to JSON the way sigs.k8s.io/yaml (go-yaml v2, YAML 1.1
// resolution) does, so a manifest means the same here as under kubectl.
// Internal to the model library (document_reader.cpp uses it).
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::model::yaml {

// Shared budget across one stream: aliases let a small file describe a huge
// tree ("billion laughs"), so conversion counts what it produces.
struct ConversionBudget {
  int maxDepth = 64;
  std::size_t maxNodes = 1'000'000;
  std::size_t maxScalarBytes = 64 * 1024 * 1024;
  std::size_t nodes = 0;
  std::size_t scalarBytes = 0;
};

// Resolves an untagged plain scalar: null, bool, int, float or string.
// Fails only for .inf/.nan, which JSON cannot carry (kubectl fails on them too).
base::Result<Json> resolvePlainScalar(const std::string& text);

// Converts one node (a document root or below). Errors name the 1-based line.
base::Result<Json> toJson(const YAML::Node& node, ConversionBudget& budget);

}  // namespace daemonlet::model::yaml
