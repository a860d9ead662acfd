// `daemonlet validate FILE...`: checks manifests the way the API server would
// (decode, default, validate) so an operator learns about a bad DaemonSet before
// the agent refuses it.
//
// Exit codes: 0 every DaemonSet in every file is valid; 1 anything invalid (YAML or
// JSON syntax, a DaemonSet that does not decode -- e.g. an old apiVersion -- or
// fails validation, a file without any DaemonSet); 2 usage errors and files that
// cannot be read at all. When several apply, the highest wins. Fields the host
// runtime would refuse (agent/reconciler/host_security.h) are warnings only.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "agent/cli/cli.h"
#include "agent/cli/commands.h"
#include "agent/cli/daemonset_report.h"
#include "agent/cli/input_files.h"
#include "agent/model/decode.h"
#include "agent/model/diagnostic.h"
#include "agent/model/validation.h"
#include "agent/reconciler/host_security.h"
#include "runtime/runtime_set.h"

namespace daemonlet::cli {
namespace {

constexpr const char* kValidateUsage =
    "usage: daemonlet validate [--quiet] FILE...\n"
    "\n"
    "Checks every apps/v1 DaemonSet in each FILE (JSON, YAML or a multi-document\n"
    "YAML stream; \"-\" reads standard input). Other kinds are skipped.\n"
    "Errors go to stderr, one per line, naming file, document and field path.\n"
    "\n"
    "  -q, --quiet   do not mention skipped objects or unknown-field warnings\n"
    "\n"
    "Exit: 0 all valid, 1 something invalid, 2 usage error or unreadable file.\n";

struct ValidateOptions {
  bool quiet = false;
  std::vector<std::string> files;
};

// Returns false (after printing why) on a usage error.
bool parseValidateOptions(const Arguments& args, ValidateOptions& options, std::ostream& err) {
  bool onlyFiles = false;
  for (const std::string& arg : args) {
    if (!onlyFiles && arg == "--") {
      onlyFiles = true;
    } else if (!onlyFiles && (arg == "-q" || arg == "--quiet")) {
      options.quiet = true;
    } else if (!onlyFiles && arg.size() > 1 && arg.front() == '-') {
      err << "daemonlet validate: unknown option " << arg << "\n" << kValidateUsage;
      return false;
    } else {
      options.files.push_back(arg);
    }
  }
  if (options.files.empty()) {
    err << "daemonlet validate: no FILE given\n" << kValidateUsage;
    return false;
  }
  if (std::count(options.files.begin(), options.files.end(), "-") > 1) {
    err << "daemonlet validate: standard input (\"-\") can be read only once\n";
    return false;
  }
  return true;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Valid, but the host runtime would refuse containers of it (CreateContainerConfigError):
// said even with --quiet. The agent normally runs as root (systemd unit), so
// runAsNonRoot without runAsUser is judged as the agent would then. Pods without
// runtimeClassName: host run in the CRI runtime, which honours these fields.
void warnHostRuntimeRefusals(const model::DaemonSet& daemonSet, CommandIo& io) {
  if (!runtime::runsOnHost(daemonSet.spec.template_.spec)) return;
  for (const std::string& refusal : reconciler::hostRuntimeRefusals(daemonSet, /*agentIsRoot=*/true)) {
    model::Diagnostic diagnostic;
    diagnostic.where = daemonSet.source;
    diagnostic.message = "DaemonSet " + qualifiedName(daemonSet) + ": " + refusal +
                         " (the host runtime refuses the container: CreateContainerConfigError)";
    io.err << "warning: " << diagnostic.format() << "\n";
  }
}

// Validates one file's content; prints its diagnostics and summary.
int validateContent(const InputFile& input, const ValidateOptions& options, CommandIo& io) {
  const model::DecodedFile decoded = model::decodeFile(input.content, input.displayName);
  if (!options.quiet) {
    for (const model::Diagnostic& warning : decoded.warnings) io.err << "warning: " << warning.format() << "\n";
    for (const std::string& skipped : decoded.skipped) io.err << input.displayName << ": skipped " << skipped << "\n";
  }
  std::size_t errorCount = decoded.errors.size();
  for (const model::Diagnostic& error : decoded.errors) io.err << error.format() << "\n";

  std::vector<std::string> validNames;
  std::vector<std::string> invalidNames;
  for (const model::DaemonSet& daemonSet : decoded.daemonSets) {
    const model::FieldErrors fieldErrors = model::validateDaemonSet(daemonSet);
    for (const std::string& line : describeValidationErrors(daemonSet, fieldErrors)) io.err << line << "\n";
    errorCount += fieldErrors.size();
    if (fieldErrors.empty()) warnHostRuntimeRefusals(daemonSet, io);
    (fieldErrors.empty() ? validNames : invalidNames).push_back(qualifiedName(daemonSet));
  }

  const std::string skippedPart =
      decoded.skipped.empty() ? "" : ", " + countOf(decoded.skipped.size(), "other object", "other objects") + " skipped";
  if (errorCount == 0 && validNames.empty()) {
    io.err << input.displayName << ": no DaemonSet found" << skippedPart << "\n";
    return kExitInvalid;
  }
  if (errorCount == 0) {
    io.out << input.displayName << ": " << countOf(validNames.size(), "DaemonSet", "DaemonSets") << " valid ("
           << joinNames(validNames) << ")" << skippedPart << "\n";
    return kExitOk;
  }
  io.err << input.displayName << ": invalid: " << countOf(errorCount, "error", "errors");
  if (!invalidNames.empty()) io.err << " in " << joinNames(invalidNames);
  if (!validNames.empty()) io.err << "; valid: " << joinNames(validNames);
  io.err << "\n";
  return kExitInvalid;
}

}  // namespace

int runValidateCommand(const Arguments& args, CommandIo& io) {
  if (!args.empty() && isHelpFlag(args.front())) {
    io.out << kValidateUsage;
    return kExitOk;
  }
  ValidateOptions options;
  if (!parseValidateOptions(args, options, io.err)) return kExitUsage;

  int exitCode = kExitOk;
  for (const std::string& path : options.files) {
    auto input = readInputFile(path, io.in);
    if (!input) {
      io.err << "daemonlet validate: cannot read " << input.error().describe() << "\n";
      exitCode = std::max(exitCode, kExitUsage);
      continue;
    }
    exitCode = std::max(exitCode, validateContent(*input, options, io));
  }
  return exitCode;
}

}  // namespace daemonlet::cli
