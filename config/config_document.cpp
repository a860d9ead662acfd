#include "config/config_document.h"

#include <vector>

#include "agent/model/document_reader.h"
#include "agent/model/yaml_tree_builder.h"

namespace daemonlet::config {
namespace {

// A config file is small and written by hand; anything bigger is a mistake.
constexpr std::size_t kMaxContentBytes = 1024 * 1024;
// Deep nesting has no use here.
constexpr int kMaxDepth = 32;

}  // namespace

base::Result<model::Json> readConfigDocument(std::string_view content, const std::string& fileName) {
  if (content.size() > kMaxContentBytes) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           "file is larger than 1 MiB; not a configuration file", fileName);
  }
  const model::ReadLimits limits;  // the manifests' memory bound
  model::yaml::TreeBudget budget;
  budget.maxDepth = kMaxDepth;
  budget.maxBytes = limits.maxTreeBytes(content.size());
  budget.limitText = limits.describeTreeLimit();
  const model::yaml::YamlRules strict{model::yaml::YamlRules::Scalars::kCore12, true};
  auto documents = model::yaml::buildYamlDocuments(content, budget, strict);
  if (!documents) return base::makeError(documents.error().code, documents.error().message, fileName);
  std::vector<model::Json*> nonEmpty;
  for (model::yaml::YamlDocument& document : *documents) {
    if (!document.value.is_null()) nonEmpty.push_back(&document.value);
  }
  if (nonEmpty.empty()) return model::Json(nullptr);
  if (nonEmpty.size() > 1) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           "holds " + std::to_string(nonEmpty.size()) +
                               " YAML documents; a configuration file holds exactly one",
                           fileName);
  }
  return std::move(*nonEmpty.front());
}

}  // namespace daemonlet::config
