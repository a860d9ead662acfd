#include "agent/sources/endpoint_snapshot.h"

#include <algorithm>
#include <map>

#include "agent/model/decode.h"
#include "agent/model/document_reader.h"
#include "agent/model/revision_hash.h"
#include "agent/model/validation.h"
#include "agent/sources/manifest_set.h"

namespace daemonlet::sources {
namespace {

// namespace/name of a document that failed to decode, when it says; lets a
// rejected item keep its last good version. "" when the document has no name.
std::string documentKey(const model::Json& object) {
  if (!object.is_object()) return "";
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto name = metadata->find("name");
  if (name == metadata->end() || !name->is_string()) return "";
  std::string ns = "default";
  auto nsField = metadata->find("namespace");
  if (nsField != metadata->end() && nsField->is_string() && !nsField->get_ref<const std::string&>().empty()) {
    ns = nsField->get<std::string>();
  }
  return ns + "/" + name->get<std::string>();
}

bool isDaemonSetDocument(const model::Json& object) {
  if (!object.is_object()) return true;  // unidentifiable: decode names the problem
  auto kind = object.find("kind");
  return kind == object.end() || !kind->is_string() || kind->get_ref<const std::string&>() == "DaemonSet";
}

}  // namespace

base::Result<EndpointSnapshot> acceptEndpointBody(const std::string& body, const std::string& url,
                                                  const EndpointSnapshot* previous) {
  const std::string origin = "endpoint:" + url;
  auto documents = model::readDocuments(body, url);
  if (!documents) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           "response is not a well-formed DaemonSet list: " + documents.error().message, url);
  }

  std::map<std::string, const SourcedDaemonSet*> lastGood;
  if (previous) {
    for (const auto& sourced : previous->daemonSets) lastGood[daemonSetKey(*sourced.daemonSet)] = &sourced;
  }

  EndpointSnapshot snapshot;
  snapshot.url = url;
  std::map<std::string, SourcedDaemonSet> accepted;
  auto reject = [&](const std::string& key, std::vector<std::string> messages) {
    for (auto& message : messages) snapshot.errors.push_back({origin, std::move(message)});
    if (key.empty() || accepted.count(key)) return;
    auto kept = lastGood.find(key);
    if (kept != lastGood.end()) {
      accepted.emplace(key, *kept->second);
      snapshot.errors.push_back({origin, url + ": DaemonSet " + key + ": keeping the last good version (revision " +
                                             kept->second->revision + ") until the endpoint serves a valid one"});
    }
  };

  for (model::Document& document : *documents) {
    if (!isDaemonSetDocument(document.object)) continue;  // other kinds in a List are not ours
    const std::string key = documentKey(document.object);
    // Decoding one document at a time keeps a bad item from taking the others down.
    std::string single = document.object.dump();
    model::DecodedFile decoded = model::decodeFile(single, url);
    std::vector<std::string> problems;
    for (auto& error : decoded.errors) {
      error.where.documentIndex = document.source.documentIndex;
      problems.push_back(error.format());
    }
    if (!problems.empty() || decoded.daemonSets.size() != 1) {
      if (problems.empty()) problems.push_back(url + ": document " + std::to_string(document.source.documentIndex) +
                                               ": not a DaemonSet");
      reject(key, std::move(problems));
      continue;
    }
    model::DaemonSet daemonSet = std::move(decoded.daemonSets.front());
    daemonSet.source = document.source;
    const std::string decodedKey = daemonSetKey(daemonSet);
    model::FieldErrors fieldErrors = model::validateDaemonSet(daemonSet);
    if (!fieldErrors.empty()) {
      for (const auto& fieldError : fieldErrors) {
        model::Diagnostic diagnostic{model::Diagnostic::Severity::kError, daemonSet.source, {},
                                     "DaemonSet " + decodedKey + ": " + fieldError.toString()};
        problems.push_back(diagnostic.format());
      }
      reject(decodedKey, std::move(problems));
      continue;
    }
    if (accepted.count(decodedKey)) {
      snapshot.errors.push_back({origin, url + ": DaemonSet " + decodedKey +
                                             " appears more than once; the first copy is used"});
      continue;
    }
    std::string revision = model::revisionHash(daemonSet);
    accepted.emplace(decodedKey, SourcedDaemonSet{std::make_shared<const model::DaemonSet>(std::move(daemonSet)),
                                                       std::move(revision), origin});
  }
  for (auto& [key, sourced] : accepted) snapshot.daemonSets.push_back(std::move(sourced));
  return snapshot;
}

}  // namespace daemonlet::sources
