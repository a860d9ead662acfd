#include "agent/decision/node_affinity.h"

#include <optional>

#include "agent/decision/label_syntax.h"

namespace daemonlet::decision {
namespace {

// The only node field Kubernetes exposes to matchFields.
constexpr const char* kNodeNameField = "metadata.name";

std::string joinValues(const std::vector<std::string>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += values[i];
  }
  return text + "]";
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += separator;
    text += parts[i];
  }
  return text;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  for (const auto& v : values) {
    if (v == value) return true;
  }
  return false;
}

std::string describeRequirement(const model::NodeSelectorRequirement& req) {
  if (req.op == "Exists" || req.op == "DoesNotExist") return req.key + " " + req.op;
  if ((req.op == "Gt" || req.op == "Lt") && req.values.size() == 1)
    return req.key + " " + req.op + " " + req.values[0];
  return req.key + " " + req.op + " " + joinValues(req.values);
}

// Why labels.NewRequirement (or the operator switch before it) would reject this
// matchExpressions entry; nullopt when it parses.
std::optional<std::string> labelRequirementProblem(const model::NodeSelectorRequirement& req) {
  const std::string& op = req.op;
  bool setOp = op == "In" || op == "NotIn";
  bool unaryOp = op == "Exists" || op == "DoesNotExist";
  bool numericOp = op == "Gt" || op == "Lt";
  if (!setOp && !unaryOp && !numericOp) {
    return "operator \"" + op + "\" is not supported (In, NotIn, Exists, DoesNotExist, Gt, Lt)";
  }
  std::vector<std::string> problems;
  if (!isValidLabelKey(req.key)) problems.push_back("\"" + req.key + "\" is not a valid label key");
  if (setOp && req.values.empty()) problems.push_back(op + " needs at least one value");
  if (unaryOp && !req.values.empty()) problems.push_back(op + " takes no values");
  if (numericOp) {
    if (req.values.size() != 1) problems.push_back(op + " needs exactly one value");
    for (const auto& v : req.values) {
      if (!parseGoInt64(v)) problems.push_back(op + " value \"" + v + "\" is not an integer");
    }
  }
  for (const auto& v : req.values) {
    if (!isValidLabelValue(v)) problems.push_back("\"" + v + "\" is not a valid label value");
  }
  if (problems.empty()) return std::nullopt;
  return join(problems, ", ");
}

// Why nodeSelectorRequirementsAsFieldSelector would reject this matchFields entry.
std::optional<std::string> fieldRequirementProblem(const model::NodeSelectorRequirement& req) {
  if (req.op != "In" && req.op != "NotIn") {
    return "matchFields operator \"" + req.op + "\" is not supported (In, NotIn)";
  }
  if (req.values.size() != 1) return "matchFields " + req.op + " needs exactly one value";
  return std::nullopt;
}

struct RequirementCheck {
  bool satisfied = false;
  std::string observation;  // what the node has, e.g. "node has gpu=true"
};

RequirementCheck checkLabelRequirement(const model::NodeSelectorRequirement& req,
                                       const model::StringMap& labels) {
  auto it = labels.find(req.key);
  bool present = it != labels.end();
  std::string has = present ? "node has " + req.key + "=" + it->second : "node has no label " + req.key;
  if (req.op == "In") return {present && contains(req.values, it->second), has};
  if (req.op == "NotIn") return {!present || !contains(req.values, it->second), has};
  if (req.op == "Exists") return {present, has};
  if (req.op == "DoesNotExist") return {!present, has};
  // Gt/Lt: the node's value must itself parse as an integer.
  if (!present) return {false, has};
  auto nodeValue = parseGoInt64(it->second);
  if (!nodeValue) return {false, "node label " + req.key + "=" + it->second + " is not an integer"};
  std::int64_t bound = *parseGoInt64(req.values.at(0));  // the term parsed, so this is an integer
  return {req.op == "Gt" ? *nodeValue > bound : *nodeValue < bound, has};
}

// fields.Set semantics: a field the node does not have reads as "".
RequirementCheck checkFieldRequirement(const model::NodeSelectorRequirement& req,
                                       const std::string& nodeName) {
  std::string fieldValue = req.key == kNodeNameField ? nodeName : "";
  std::string observation =
      req.key == kNodeNameField
          ? "node name is " + nodeName
          : "\"" + req.key + "\" is not a node field (only metadata.name is), so it reads as \"\"";
  bool equal = fieldValue == req.values.at(0);
  return {req.op == "In" ? equal : !equal, observation};
}

struct TermOutcome {
  bool matches = false;
  std::string detail;  // "term 0: ..." sentence fragment
};

TermOutcome evaluateTerm(const model::NodeSelectorTerm& term, std::size_t index, const model::Node& node) {
  std::string name = "term " + std::to_string(index);
  if (term.matchExpressions.empty() && term.matchFields.empty()) {
    return {false, name + " is empty and matches nothing"};
  }
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < term.matchExpressions.size(); ++i) {
    if (auto p = labelRequirementProblem(term.matchExpressions[i])) {
      problems.push_back("matchExpressions[" + std::to_string(i) + "]: " + *p);
    }
  }
  for (std::size_t i = 0; i < term.matchFields.size(); ++i) {
    if (auto p = fieldRequirementProblem(term.matchFields[i])) {
      problems.push_back("matchFields[" + std::to_string(i) + "]: " + *p);
    }
  }
  if (!problems.empty())
    return {false, name + " is invalid and never matches (" + join(problems, "; ") + ")"};

  std::vector<std::string> failed;
  std::vector<std::string> satisfied;
  for (const auto& req : term.matchExpressions) {
    auto check = checkLabelRequirement(req, node.metadata.labels);
    (check.satisfied ? satisfied : failed)
        .push_back(describeRequirement(req) + (check.satisfied ? " satisfied: " : " not satisfied: ") +
                   check.observation);
  }
  // Kubernetes skips matchFields when the node has no fields at all (no name).
  if (!term.matchFields.empty() && node.metadata.name.empty()) {
    satisfied.push_back("matchFields skipped because the node has no name");
  } else {
    for (const auto& req : term.matchFields) {
      auto check = checkFieldRequirement(req, node.metadata.name);
      (check.satisfied ? satisfied : failed)
          .push_back(describeRequirement(req) + (check.satisfied ? " satisfied: " : " not satisfied: ") +
                     check.observation);
    }
  }
  if (!failed.empty()) return {false, name + ": " + join(failed, "; ")};
  return {true, name + " matches: " + join(satisfied, "; ")};
}

}  // namespace

RuleOutcome matchNodeSelector(const model::StringMap& nodeSelector, const model::Node& node) {
  RuleOutcome outcome;
  std::vector<std::string> matched;
  for (const auto& [key, value] : nodeSelector) {
    auto it = node.metadata.labels.find(key);
    if (it == node.metadata.labels.end()) {
      outcome.explanations.push_back("nodeSelector requires " + key + "=" + value +
                                     " but the node has no label " + key);
    } else if (it->second != value) {
      outcome.explanations.push_back("nodeSelector requires " + key + "=" + value + " but the node has " +
                                     key + "=" + it->second);
    } else {
      matched.push_back(key + "=" + value);
    }
  }
  outcome.matches = outcome.explanations.empty();
  if (outcome.matches && !nodeSelector.empty()) {
    outcome.explanations.push_back("nodeSelector " + join(matched, ", ") + " matches the node's labels");
  }
  return outcome;
}

RuleOutcome matchRequiredNodeAffinity(const model::NodeSelector& required, const model::Node& node) {
  const auto& terms = required.nodeSelectorTerms;
  if (terms.empty()) {
    return {false, {"required node affinity has an empty nodeSelectorTerms list, which matches no node"}};
  }
  std::vector<std::string> failedTerms;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    TermOutcome term = evaluateTerm(terms[i], i, node);
    if (term.matches) return {true, {"required node affinity: " + term.detail}};
    failedTerms.push_back(term.detail);
  }
  return {false, {"required node affinity: no term matches (" + join(failedTerms, "; ") + ")"}};
}

}  // namespace daemonlet::decision
