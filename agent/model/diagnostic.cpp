#include "agent/model/diagnostic.h"

namespace daemonlet::model {

std::string Diagnostic::format() const {
  std::string out;
  if (!where.file.empty()) out += where.file + ": ";
  // A negative index marks a problem with the file as a whole (e.g. a YAML
  // syntax error before any document could be told apart).
  if (where.documentIndex >= 0) {
    out += "document " + std::to_string(where.documentIndex);
    if (where.line > 0) out += " (line " + std::to_string(where.line) + ")";
    out += ": ";
  }
  if (!fieldPath.empty()) out += fieldPath + ": ";
  out += message;
  return out;
}

}  // namespace daemonlet::model
