#include "agent/kubeapi/delete_options.h"

#include <cstdlib>

#include "agent/model/types.h"

namespace daemonlet::kubeapi {
namespace {

using model::Json;

base::Error invalidDeleteField(const std::string& field, std::string message) {
  return base::makeError(base::ErrorCode::kInvalidArgument, std::move(message), field);
}

std::optional<std::string> queryValue(const std::multimap<std::string, std::string>& query,
                                      const char* name) {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

// Each field as it may appear in the query string; the body's fields replace them.
base::Result<DeleteOptions> deleteOptionsFromQuery(const std::multimap<std::string, std::string>& query) {
  DeleteOptions options;
  if (auto text = queryValue(query, "gracePeriodSeconds")) {
    char* end = nullptr;
    long long value = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0') {
      return invalidDeleteField("gracePeriodSeconds", "\"" + *text + "\" is not an integer");
    }
    options.gracePeriodSeconds = value;
  }
  if (auto text = queryValue(query, "propagationPolicy")) options.propagationPolicy = *text;
  for (auto [it, end] = query.equal_range("dryRun"); it != end; ++it) {
    if (it->second != "All") {
      return invalidDeleteField("dryRun",
                                "Unsupported value: \"" + it->second + "\": supported values: \"All\"");
    }
    options.dryRun = true;
  }
  return options;
}

base::Status mergeDeleteOptionsBody(const Json& body, DeleteOptions& options) {
  if (!body.is_object()) return invalidDeleteField("body", "a DeleteOptions body must be a JSON object");
  if (auto kind = body.find("kind"); kind != body.end() && !(kind->is_string() && *kind == "DeleteOptions")) {
    return invalidDeleteField("kind", "the body's kind must be DeleteOptions, not " + kind->dump());
  }
  if (auto grace = body.find("gracePeriodSeconds"); grace != body.end() && !grace->is_null()) {
    if (!grace->is_number_integer()) return invalidDeleteField("gracePeriodSeconds", "must be an integer");
    options.gracePeriodSeconds = grace->get<std::int64_t>();
  }
  if (auto policy = body.find("propagationPolicy"); policy != body.end() && !policy->is_null()) {
    if (!policy->is_string()) return invalidDeleteField("propagationPolicy", "must be a string");
    options.propagationPolicy = policy->get<std::string>();
  }
  if (auto dryRun = body.find("dryRun"); dryRun != body.end() && !dryRun->is_null()) {
    if (!dryRun->is_array()) return invalidDeleteField("dryRun", "must be a list of strings");
    for (const auto& value : *dryRun) {
      if (!value.is_string() || value != "All") {
        return invalidDeleteField("dryRun",
                                  "Unsupported value: " + value.dump() + ": supported values: \"All\"");
      }
      options.dryRun = true;
    }
  }
  if (auto pre = body.find("preconditions"); pre != body.end() && !pre->is_null()) {
    if (!pre->is_object()) return invalidDeleteField("preconditions", "must be an object");
    for (const char* field : {"uid", "resourceVersion"}) {
      auto value = pre->find(field);
      if (value == pre->end() || value->is_null()) continue;
      if (!value->is_string())
        return invalidDeleteField(std::string("preconditions.") + field, "must be a string");
      (std::string(field) == "uid" ? options.preconditionUid : options.preconditionResourceVersion) =
          value->get<std::string>();
    }
  }
  return base::Ok{};
}

}  // namespace

base::Result<DeleteOptions> parseDeleteOptions(const std::multimap<std::string, std::string>& query,
                                               const std::string& body) {
  auto options = deleteOptionsFromQuery(query);
  if (!options) return options;
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return invalidDeleteField("body", "the DeleteOptions body is not valid JSON");
    if (auto merged = mergeDeleteOptionsBody(parsed, *options); !merged) return merged.error();
  }
  if (options->gracePeriodSeconds && *options->gracePeriodSeconds < 0) {
    return invalidDeleteField("gracePeriodSeconds", "must be greater than or equal to 0, not " +
                                                        std::to_string(*options->gracePeriodSeconds));
  }
  const std::string& policy = options->propagationPolicy;
  if (!policy.empty() && policy != "Orphan" && policy != "Background" && policy != "Foreground") {
    return invalidDeleteField("propagationPolicy",
                              "Unsupported value: \"" + policy +
                                  "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  }
  return options;
}

}  // namespace daemonlet::kubeapi
