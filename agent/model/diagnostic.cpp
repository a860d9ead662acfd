#include "agent/model/diagnostic.h"

namespace daemonlet::model {

std::string Diagnostic::format() const {
  std::string out;
  if (!where.file.empty()) out += where.file + ": ";
  out += "document " + std::to_string(where.documentIndex);
  if (where.line > 0) out += " (line " + std::to_string(where.line) + ")";
  out += ": ";
  if (!fieldPath.empty()) out += fieldPath + ": ";
  out += message;
  return out;
}

}  // namespace daemonlet::model
