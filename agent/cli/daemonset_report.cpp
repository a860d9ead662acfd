#include "agent/cli/daemonset_report.h"

#include "agent/model/diagnostic.h"

namespace daemonlet::cli {

std::string qualifiedName(const model::DaemonSet& daemonSet) {
  const std::string& ns = daemonSet.metadata.namespace_;
  return (ns.empty() ? std::string("default") : ns) + "/" + daemonSet.metadata.name;
}

std::vector<std::string> describeValidationErrors(const model::DaemonSet& daemonSet,
                                                  const model::FieldErrors& errors) {
  std::vector<std::string> lines;
  lines.reserve(errors.size());
  for (const model::FieldError& error : errors) {
    model::Diagnostic diagnostic;
    diagnostic.where = daemonSet.source;
    // The field path is part of toString() ("spec.selector: Required value"), so
    // the whole sentence goes in the message after the object's name.
    diagnostic.message = "DaemonSet " + qualifiedName(daemonSet) + ": " + error.toString();
    lines.push_back(diagnostic.format());
  }
  return lines;
}

std::string countOf(std::size_t n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

}  // namespace daemonlet::cli
