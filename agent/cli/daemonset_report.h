#pragma once
// Wording shared by the subcommands that talk about DaemonSets, so `validate` and
// `explain` report the same problem in the same words.
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/model/validation.h"

namespace daemonlet::cli {

// "namespace/name" ("default/name" once defaulted).
std::string qualifiedName(const model::DaemonSet& daemonSet);

// One line per error, located like a decode diagnostic:
// "bad.yaml: document 0 (line 1): DaemonSet kube-system/foo: spec.selector: Required value".
std::vector<std::string> describeValidationErrors(const model::DaemonSet& daemonSet,
                                                  const model::FieldErrors& errors);

// "1 DaemonSet", "2 DaemonSets": counts in messages read as sentences.
std::string countOf(std::size_t n, const std::string& singular, const std::string& plural);

}  // namespace daemonlet::cli
