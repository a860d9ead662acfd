// `daemonlet explain --node NODE_FILE DAEMONSET_FILE`: answers "would this
// DaemonSet run on that node, and why" with the agent's own placement code, so an
// operator can check a manifest against a node before shipping it.
//
// Exit codes (../shared/DESIGN.md): 0 evaluated; 1 the DaemonSet is invalid
// (doesn't decode or fails validation; errors on stderr as `validate` prints them);
// 2 usage errors and input that cannot be used at all: unreadable files, syntax
// errors, a node file that is not one core/v1 Node, a DaemonSet file without a
// DaemonSet or with several and no --name to pick one.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "agent/cli/cli.h"
#include "agent/cli/commands.h"
#include "agent/cli/daemonset_report.h"
#include "agent/cli/input_files.h"
#include "agent/decision/placement.h"
#include "agent/model/decode.h"
#include "agent/model/document_reader.h"
#include "agent/model/revision_hash.h"
#include "agent/model/validation.h"

namespace daemonlet::cli {
namespace {

constexpr const char* kExplainUsage =
    "usage: daemonlet explain --node NODE_FILE [--name NAME] [-o json|text] DAEMONSET_FILE\n"
    "\n"
    "Evaluates the DaemonSet in DAEMONSET_FILE against the core/v1 Node in NODE_FILE\n"
    "(JSON or YAML; \"-\" reads standard input) with the agent's placement rules:\n"
    "nodeName, nodeSelector, required node affinity, taints and tolerations.\n"
    "\n"
    "  --node NODE_FILE     the Node to evaluate against (required)\n"
    "  --name NAME          pick the DaemonSet NAME (or NAMESPACE/NAME) when the file holds several\n"
    "  -o, --output FORMAT  json (default: one JSON object) or text\n"
    "\n"
    "Exit: 0 evaluated, 1 the DaemonSet is invalid, 2 usage error or unusable input.\n";

enum class OutputFormat { kJson, kText };

struct ExplainOptions {
  std::string nodeFile;
  std::string daemonSetFile;
  std::optional<std::string> name;
  OutputFormat format = OutputFormat::kJson;
};

// Matches "--flag VALUE" and "--flag=VALUE"; advances `i` past a separate value.
// Returns nullopt when args[i] is not this flag; sets `missing` when it is but has
// no value.
std::optional<std::string> flagValue(const Arguments& args, std::size_t& i, std::initializer_list<const char*> names,
                                     bool& missing) {
  for (const std::string name : names) {
    if (args[i] == name) {
      if (i + 1 >= args.size()) {
        missing = true;
        return std::nullopt;
      }
      return args[++i];
    }
    if (args[i].rfind(name + "=", 0) == 0) return args[i].substr(name.size() + 1);
  }
  return std::nullopt;
}

bool parseExplainOptions(const Arguments& args, ExplainOptions& options, std::ostream& err) {
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    if (auto v = flagValue(args, i, {"--node"}, missing)) {
      options.nodeFile = *v;
    } else if (auto v = flagValue(args, i, {"--name"}, missing)) {
      options.name = *v;
    } else if (auto v = flagValue(args, i, {"-o", "--output"}, missing)) {
      if (*v == "json") {
        options.format = OutputFormat::kJson;
      } else if (*v == "text") {
        options.format = OutputFormat::kText;
      } else {
        err << "daemonlet explain: unknown output format \"" << *v << "\" (json or text)\n";
        return false;
      }
    } else if (missing) {
      err << "daemonlet explain: " << args[i] << " needs a value\n" << kExplainUsage;
      return false;
    } else if (args[i].size() > 1 && args[i].front() == '-') {
      err << "daemonlet explain: unknown option " << args[i] << "\n" << kExplainUsage;
      return false;
    } else {
      positional.push_back(args[i]);
    }
  }
  if (options.nodeFile.empty()) {
    err << "daemonlet explain: --node NODE_FILE is required\n" << kExplainUsage;
    return false;
  }
  if (positional.size() != 1) {
    err << "daemonlet explain: expected exactly one DAEMONSET_FILE, got " << positional.size() << "\n" << kExplainUsage;
    return false;
  }
  options.daemonSetFile = positional.front();
  if (options.nodeFile == "-" && options.daemonSetFile == "-") {
    err << "daemonlet explain: standard input (\"-\") can be read only once\n";
    return false;
  }
  return true;
}

void printDiagnostics(const model::Diagnostics& diagnostics, const char* prefix, std::ostream& err) {
  for (const model::Diagnostic& d : diagnostics) err << prefix << d.format() << "\n";
}

// The Node, or nullopt after printing why it cannot be used (exit 2).
std::optional<model::Node> loadNode(const std::string& path, CommandIo& io) {
  auto input = readInputFile(path, io.in);
  if (!input) {
    io.err << "daemonlet explain: cannot read node file " << input.error().describe() << "\n";
    return std::nullopt;
  }
  auto documents = model::readDocuments(input->content, input->displayName);
  if (!documents) {
    io.err << "daemonlet explain: " << documents.error().describe() << "\n";
    return std::nullopt;
  }
  if (documents->size() != 1) {
    io.err << "daemonlet explain: " << input->displayName << ": expected one Node, found "
           << countOf(documents->size(), "object", "objects") << "\n";
    return std::nullopt;
  }
  const model::Document& document = documents->front();
  const auto kind = document.object.is_object() ? document.object.value("kind", model::Json()) : model::Json();
  if (kind != "Node") {
    io.err << "daemonlet explain: " << input->displayName << ": not a Node (kind "
           << (kind.is_string() ? kind.get<std::string>() : kind.dump()) << ")\n";
    return std::nullopt;
  }
  model::DecodedNode decoded = model::decodeNode(document);
  printDiagnostics(decoded.warnings, "warning: ", io.err);
  if (!decoded.errors.empty()) {
    printDiagnostics(decoded.errors, "", io.err);
    return std::nullopt;
  }
  return std::move(decoded.node);
}

bool matchesName(const model::DaemonSet& daemonSet, const std::string& name) {
  return daemonSet.metadata.name == name || qualifiedName(daemonSet) == name;
}

struct LoadedDaemonSet {
  std::optional<model::DaemonSet> daemonSet;
  int exitCode = kExitOk;  // meaningful when daemonSet is empty
};

LoadedDaemonSet loadDaemonSet(const ExplainOptions& options, CommandIo& io) {
  auto input = readInputFile(options.daemonSetFile, io.in);
  if (!input) {
    io.err << "daemonlet explain: cannot read DaemonSet file " << input.error().describe() << "\n";
    return {std::nullopt, kExitUsage};
  }
  // A syntax error makes the file unusable (2); decodeFile would report it as an
  // ordinary error, so check the split into documents first.
  auto documents = model::readDocuments(input->content, input->displayName);
  if (!documents) {
    io.err << "daemonlet explain: " << documents.error().describe() << "\n";
    return {std::nullopt, kExitUsage};
  }
  model::DecodedFile decoded = model::decodeFile(input->content, input->displayName);
  printDiagnostics(decoded.warnings, "warning: ", io.err);
  if (!decoded.errors.empty()) {
    // A DaemonSet-kind document that does not decode (old apiVersion, wrong types)
    // is an invalid DaemonSet.
    printDiagnostics(decoded.errors, "", io.err);
    return {std::nullopt, kExitInvalid};
  }
  std::vector<model::DaemonSet> candidates;
  for (model::DaemonSet& daemonSet : decoded.daemonSets) {
    if (!options.name || matchesName(daemonSet, *options.name)) candidates.push_back(std::move(daemonSet));
  }
  if (candidates.size() == 1) return {std::move(candidates.front()), kExitOk};

  if (decoded.daemonSets.empty()) {
    io.err << "daemonlet explain: " << input->displayName << ": no DaemonSet found\n";
  } else if (candidates.empty()) {
    io.err << "daemonlet explain: " << input->displayName << ": no DaemonSet named \"" << *options.name << "\"\n";
  } else {
    io.err << "daemonlet explain: " << input->displayName << " holds "
           << countOf(candidates.size(), "DaemonSet", "DaemonSets") << "; pick one with --name:";
    for (const model::DaemonSet& daemonSet : candidates) io.err << " " << qualifiedName(daemonSet);
    io.err << "\n";
  }
  return {std::nullopt, kExitUsage};
}

std::string verdictOf(const decision::PlacementDecision& decision) {
  if (decision.shouldRun) return decision.shouldContinueRunning ? "runs here" : "may start here but may not stay";
  return decision.shouldContinueRunning ? "does not start here (running pods may stay)" : "does not run here";
}

void printJson(const model::DaemonSet& daemonSet, const model::Node& node, const decision::PlacementDecision& d,
               std::ostream& out) {
  model::Json result;
  result["daemonSet"] = qualifiedName(daemonSet);
  result["node"] = node.metadata.name;
  result["revision"] = model::revisionHash(daemonSet);
  result["shouldRun"] = d.shouldRun;
  result["shouldContinueRunning"] = d.shouldContinueRunning;
  result["reasons"] = d.reasons;
  out << result.dump(2, ' ', false, model::Json::error_handler_t::replace) << "\n";
}

void printText(const model::DaemonSet& daemonSet, const model::Node& node, const decision::PlacementDecision& d,
               std::ostream& out) {
  out << "DaemonSet:  " << qualifiedName(daemonSet) << "\n"
      << "Node:       " << node.metadata.name << "\n"
      << "Revision:   " << model::revisionHash(daemonSet) << "\n"
      << "Verdict:    " << verdictOf(d) << "\n"
      << "            shouldRun=" << (d.shouldRun ? "true" : "false")
      << " shouldContinueRunning=" << (d.shouldContinueRunning ? "true" : "false") << "\n"
      << "Reasons:\n";
  if (d.reasons.empty()) out << "  (none)\n";
  for (const std::string& reason : d.reasons) out << "  - " << reason << "\n";
}

}  // namespace

int runExplainCommand(const Arguments& args, CommandIo& io) {
  if (!args.empty() && isHelpFlag(args.front())) {
    io.out << kExplainUsage;
    return kExitOk;
  }
  ExplainOptions options;
  if (!parseExplainOptions(args, options, io.err)) return kExitUsage;

  const std::optional<model::Node> node = loadNode(options.nodeFile, io);
  if (!node) return kExitUsage;
  const LoadedDaemonSet loaded = loadDaemonSet(options, io);
  if (!loaded.daemonSet) return loaded.exitCode;
  const model::DaemonSet& daemonSet = *loaded.daemonSet;

  const model::FieldErrors errors = model::validateDaemonSet(daemonSet);
  if (!errors.empty()) {
    for (const std::string& line : describeValidationErrors(daemonSet, errors)) io.err << line << "\n";
    return kExitInvalid;
  }

  const decision::PlacementDecision decision = decision::decidePlacement(*node, daemonSet);
  if (options.format == OutputFormat::kText) {
    printText(daemonSet, *node, decision, io.out);
  } else {
    printJson(daemonSet, *node, decision, io.out);
  }
  return kExitOk;
}

}  // namespace daemonlet::cli
