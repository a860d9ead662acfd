// Decoding a whole file: read its documents, default and decode the DaemonSets,
// name the other objects as skipped.
#include "agent/model/decode.h"
#include "agent/model/defaults.h"

namespace daemonlet::model {
namespace {

// "apps/v1/Deployment ns/name (document 3)"
std::string describeObject(const Json& object, int documentIndex) {
  auto text = [&object](const char* section, const char* key) -> std::string {
    const Json* holder = &object;
    if (section != nullptr) {
      const auto it = object.find(section);
      if (it == object.end() || !it->is_object()) return "";
      holder = &*it;
    }
    const auto it = holder->find(key);
    return it != holder->end() && it->is_string() ? it->get<std::string>() : "";
  };
  std::string out = text(nullptr, "apiVersion") + "/" + text(nullptr, "kind") + " ";
  const std::string ns = text("metadata", "namespace");
  if (!ns.empty()) out += ns + "/";
  out += text("metadata", "name");
  return out + " (document " + std::to_string(documentIndex) + ")";
}

}  // namespace

DecodedFile decodeFile(std::string_view content, const std::string& fileName) {
  DecodedFile result;
  auto documents = readDocuments(content, fileName);
  if (!documents) {
    Diagnostic failure;
    failure.where.file = fileName;
    failure.where.documentIndex = -1;  // the file as a whole could not be split
    failure.message = documents.error().message;
    result.errors.push_back(std::move(failure));
    return result;
  }
  for (Document& document : *documents) {
    const Json& object = document.object;
    const bool isObject = object.is_object();
    const auto kind = isObject ? object.find("kind") : object.end();
    if (isObject && kind != object.end() && kind->is_string() &&
        kind->get_ref<const std::string&>() != "DaemonSet") {
      result.skipped.push_back(describeObject(object, document.source.documentIndex));
      continue;
    }
    // DaemonSets, and anything we cannot identify (decodeDaemonSet names the problem).
    if (isObject && kind != object.end()) applyDefaults(document.object);
    DecodedDaemonSet decoded = decodeDaemonSet(document);
    result.warnings.insert(result.warnings.end(), decoded.warnings.begin(), decoded.warnings.end());
    if (decoded.errors.empty()) {
      result.daemonSets.push_back(std::move(decoded.daemonSet));
    } else {
      result.errors.insert(result.errors.end(), decoded.errors.begin(), decoded.errors.end());
    }
  }
  return result;
}

}  // namespace daemonlet::model
