#include "agent/kubeapi/kube_status.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace daemonlet::kubeapi {
namespace {

using model::Json;

std::string trimmed(std::string text) {
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), notSpace));
  text.erase(std::find_if(text.rbegin(), text.rend(), notSpace).base(), text.end());
  return text;
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto at = text.find(separator, start);
    parts.push_back(trimmed(text.substr(start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

void sendKubeStatus(httplib::Response& res, int code, const std::string& reason, const std::string& message) {
  Json body = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Failure"},
               {"message", message}, {"reason", reason}, {"code", code}};
  res.status = code;
  res.set_content(body.dump() + "\n", kJsonType);
}

void sendInvalid(httplib::Response& res, const std::string& group, const std::string& kind,
                 const std::string& name, const std::vector<FieldCause>& causes) {
  std::string summary;
  Json details = {{"name", name}, {"group", group}, {"kind", kind}, {"causes", Json::array()}};
  for (const FieldCause& cause : causes) {
    summary += (summary.empty() ? "" : ", ") + cause.field + ": " + cause.message;
    details["causes"].push_back(
        {{"reason", cause.reason}, {"message", cause.message}, {"field", cause.field}});
  }
  if (causes.size() > 1) summary = "[" + summary + "]";
  const std::string qualified = group.empty() ? kind : kind + "." + group;
  Json body = {
      {"kind", "Status"},
      {"apiVersion", "v1"},
      {"metadata", Json::object()},
      {"status", "Failure"},
      {"message", qualified + " \"" + name + "\" is invalid" + (summary.empty() ? "" : ": " + summary)},
      {"reason", "Invalid"},
      {"details", details},
      {"code", 422}};
  res.status = 422;
  res.set_content(body.dump() + "\n", kJsonType);
}

void sendObject(httplib::Response& res, const model::Json& body) { res.set_content(body.dump() + "\n", kJsonType); }

Representation negotiate(const std::string& accept) {
  if (trimmed(accept).empty()) return Representation::kJson;
  for (const std::string& range : split(accept, ',')) {
    auto fields = split(range, ';');
    std::string type = lowered(fields[0]);
    std::string as, group;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      auto equals = fields[i].find('=');
      if (equals == std::string::npos) continue;
      std::string key = lowered(fields[i].substr(0, equals));
      std::string value = fields[i].substr(equals + 1);
      if (key == "as") as = value;
      if (key == "g") group = value;
    }
    bool json = type == "application/json" || type == "application/*" || type == "*/*";
    if (!json) continue;
    if (as.empty()) return Representation::kJson;
    if (as == "Table" && group == "meta.k8s.io") return Representation::kTable;
    // Anything else asked `as` (aggregated discovery, PartialObjectMetadata): not served, try the next.
  }
  return Representation::kNotAcceptable;
}

void sendNotAcceptable(httplib::Response& res, const std::string& accept) {
  sendKubeStatus(res, 406, "NotAcceptable",
                 "only the following media types are accepted: application/json, "
                 "application/json;as=Table;v=v1;g=meta.k8s.io (asked for: " + accept + ")");
}

}  // namespace daemonlet::kubeapi
