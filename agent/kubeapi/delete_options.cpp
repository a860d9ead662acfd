#include "agent/kubeapi/delete_options.h"

#include <cstdlib>

#include "agent/model/types.h"

namespace daemonlet::kubeapi {
namespace {

using model::Json;

base::Error undecodableDeleteField(const std::string& field, std::string message) {
  return base::makeError(base::ErrorCode::kInvalidArgument, std::move(message), field);
}

// The query string, read only when the request has no body (handlers/delete.go).
base::Result<DeleteOptions> deleteOptionsFromQuery(const std::multimap<std::string, std::string>& query) {
  DeleteOptions options;
  if (auto it = query.find("gracePeriodSeconds"); it != query.end()) {
    const std::string& text = it->second;
    char* end = nullptr;
    long long value = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') {
      return undecodableDeleteField("gracePeriodSeconds", "\"" + text + "\" is not an integer");
    }
    options.gracePeriodSeconds = value;
  }
  if (auto it = query.find("propagationPolicy"); it != query.end()) options.propagationPolicy = it->second;
  for (auto [it, end] = query.equal_range("dryRun"); it != end; ++it) options.dryRun.push_back(it->second);
  return options;
}

base::Result<DeleteOptions> deleteOptionsFromBody(const Json& body) {
  if (!body.is_object()) return undecodableDeleteField("body", "a DeleteOptions body must be a JSON object");
  if (auto kind = body.find("kind"); kind != body.end() && !(kind->is_string() && *kind == "DeleteOptions")) {
    return undecodableDeleteField("kind", "the body's kind must be DeleteOptions, not " + kind->dump());
  }
  DeleteOptions options;
  if (auto grace = body.find("gracePeriodSeconds"); grace != body.end() && !grace->is_null()) {
    if (!grace->is_number_integer())
      return undecodableDeleteField("gracePeriodSeconds", "must be an integer");
    options.gracePeriodSeconds = grace->get<std::int64_t>();
  }
  if (auto policy = body.find("propagationPolicy"); policy != body.end() && !policy->is_null()) {
    if (!policy->is_string()) return undecodableDeleteField("propagationPolicy", "must be a string");
    options.propagationPolicy = policy->get<std::string>();
  }
  if (auto dryRun = body.find("dryRun"); dryRun != body.end() && !dryRun->is_null()) {
    if (!dryRun->is_array()) return undecodableDeleteField("dryRun", "must be a list of strings");
    for (const auto& value : *dryRun) {
      if (!value.is_string()) return undecodableDeleteField("dryRun", "must be a list of strings");
      options.dryRun.push_back(value.get<std::string>());
    }
  }
  if (auto pre = body.find("preconditions"); pre != body.end() && !pre->is_null()) {
    if (!pre->is_object()) return undecodableDeleteField("preconditions", "must be an object");
    for (const char* field : {"uid", "resourceVersion"}) {
      auto value = pre->find(field);
      if (value == pre->end() || value->is_null()) continue;
      if (!value->is_string())
        return undecodableDeleteField(std::string("preconditions.") + field, "must be a string");
      (std::string(field) == "uid" ? options.preconditionUid : options.preconditionResourceVersion) =
          value->get<std::string>();
    }
  }
  return options;
}

// field.NotSupported's message: the value as Go's %#v prints it, then the list.
FieldCause unsupportedDeleteValue(const std::string& field, const std::string& value,
                                  const std::string& supported) {
  return {"FieldValueNotSupported", "Unsupported value: " + value + ": supported values: " + supported,
          field};
}

}  // namespace

base::Result<DeleteOptions> parseDeleteOptions(const std::multimap<std::string, std::string>& query,
                                               const std::string& body) {
  base::Result<DeleteOptions> options = DeleteOptions{};
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    options = deleteOptionsFromQuery(query);
  } else {
    Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded())
      return undecodableDeleteField("body", "the DeleteOptions body is not valid JSON");
    options = deleteOptionsFromBody(parsed);
  }
  if (!options) return options;
  // "Negative values will be treated as the value `1s` on the delete path"
  // (rest.BeforeDelete; the pod strategy's CheckGracefulDelete does the same).
  if (options->gracePeriodSeconds && *options->gracePeriodSeconds < 0) options->gracePeriodSeconds = 1;
  return options;
}

std::vector<FieldCause> validateDeleteOptions(const DeleteOptions& options) {
  std::vector<FieldCause> causes;
  if (const auto& policy = options.propagationPolicy;
      policy && *policy != "Foreground" && *policy != "Background" && *policy != "Orphan") {
    causes.push_back(unsupportedDeleteValue("propagationPolicy", Json(*policy).dump(),
                                            R"("Foreground", "Background", "Orphan", "nil")"));
  }
  for (const std::string& value : options.dryRun) {
    if (value == "All") continue;
    // The whole list is the bad value, as a Go []string.
    std::string list = "[]string{";
    for (std::size_t i = 0; i < options.dryRun.size(); ++i)
      list += (i ? ", " : "") + Json(options.dryRun[i]).dump();
    causes.push_back(unsupportedDeleteValue("dryRun", list + "}", R"("All")"));
    break;
  }
  return causes;
}

}  // namespace daemonlet::kubeapi
