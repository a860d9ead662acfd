#pragma once
// Reads one configuration file's YAML (JSON is YAML too) into JSON with the
// model's reader (agent/model/yaml_tree_builder.h), strictly: one document only,
// duplicate keys are errors, and plain scalars are typed by the YAML 1.2 core
// schema (so `8080` is a number, `"8080"` a string, `yes` a string). Pure: the
// caller reads the file.
#include <string>
#include <string_view>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::config {

// An empty file, or one holding only comments, gives a null Json. Errors carry
// "line L, column C" (1-based) in the message and `fileName` as context.
base::Result<model::Json> readConfigDocument(std::string_view content, const std::string& fileName);

}  // namespace daemonlet::config
