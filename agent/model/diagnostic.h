#pragma once
// A message about an input object, located precisely enough for an operator to fix
// it: file, document index, field path ("spec.template.spec.containers[0].image").
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::model {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  SourceLocation where;
  std::string fieldPath;  // empty when the problem is the whole document
  std::string message;

  // "FILE: document N: FIELD: MESSAGE" (document index 0-based, as kubectl's
  // error messages count items); parts that are unknown are left out.
  std::string format() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace daemonlet::model
