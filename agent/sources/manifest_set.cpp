#include "agent/sources/manifest_set.h"

#include <algorithm>
#include <set>

#include "agent/model/decode.h"
#include "agent/model/revision_hash.h"
#include "agent/model/validation.h"

namespace daemonlet::sources {

ParsedManifests parseManifests(const std::string& content, const std::string& name, const std::string& origin) {
  ParsedManifests parsed;
  model::DecodedFile decoded = model::decodeFile(content, name);
  for (const auto& error : decoded.errors) parsed.errors.push_back({origin, error.format()});
  for (auto& daemonSet : decoded.daemonSets) {
    model::FieldErrors fieldErrors = model::validateDaemonSet(daemonSet);
    if (!fieldErrors.empty()) {
      for (const auto& fieldError : fieldErrors) {
        model::Diagnostic diagnostic{model::Diagnostic::Severity::kError, daemonSet.source, {},
                                     "DaemonSet " + daemonSetKey(daemonSet) + ": " + fieldError.toString()};
        parsed.errors.push_back({origin, diagnostic.format()});
      }
      continue;
    }
    std::string revision = model::revisionHash(daemonSet);
    parsed.daemonSets.push_back(
        {std::make_shared<const model::DaemonSet>(std::move(daemonSet)), std::move(revision), origin});
  }
  if (decoded.daemonSets.empty() && decoded.errors.empty()) {
    // A manifest file with no DaemonSet is almost always a mistake (wrong kind,
    // commented out); say so rather than ignore it silently.
    parsed.errors.push_back({origin, name + ": no DaemonSet found"});
  }
  return parsed;
}

void ManifestSet::refreshFile(FileState& state, const FileReading& reading) {
  if (!reading.content) {
    // An unreadable file keeps what it last supplied: a permission slip-up must
    // not stop daemons.
    state.errors = {{"file:" + reading.path, reading.path + ": " + reading.readError}};
    return;
  }
  if (state.parsed && state.content == *reading.content) return;
  state.content = *reading.content;
  state.parsed = true;
  ParsedManifests parsed = parseManifests(state.content, reading.path, "file:" + reading.path);
  state.errors = std::move(parsed.errors);
  // A file is used whole or not at all: one bad document keeps the last good
  // version of the entire file, so a half-edited file never applies half.
  if (!state.errors.empty()) return;
  bool same = state.lastGood.size() == parsed.daemonSets.size();
  for (std::size_t i = 0; same && i < parsed.daemonSets.size(); ++i) {
    const auto& before = state.lastGood[i];
    const auto& after = parsed.daemonSets[i];
    same = before.revision == after.revision && before.origin == after.origin &&
           before.daemonSet->raw == after.daemonSet->raw;
  }
  if (!same) state.lastGoodChanged = true;
  state.lastGood = std::move(parsed.daemonSets);
}

bool ManifestSet::update(const std::vector<FileReading>& files) {
  std::set<std::string> present;
  for (const auto& reading : files) {
    present.insert(reading.path);
    refreshFile(files_[reading.path], reading);
  }
  for (auto it = files_.begin(); it != files_.end();) {
    it = present.count(it->first) ? std::next(it) : files_.erase(it);
  }
  return reselect();
}

bool ManifestSet::reselect() {
  std::map<std::string, std::vector<std::string>> filesByKey;
  for (const auto& [path, state] : files_) {
    for (const auto& sourced : state.lastGood) filesByKey[daemonSetKey(*sourced.daemonSet)].push_back(path);
  }

  std::vector<Selected> selected;
  std::vector<SourceError> errors;
  std::map<std::string, std::string> nextOwners;
  for (const auto& [path, state] : files_) {
    errors.insert(errors.end(), state.errors.begin(), state.errors.end());
    for (std::size_t index = 0; index < state.lastGood.size(); ++index) {
      std::string key = daemonSetKey(*state.lastGood[index].daemonSet);
      const auto& holders = filesByKey[key];
      if (holders.size() == 1) {
        nextOwners[key] = path;
        selected.push_back({std::move(key), path, index});
        continue;
      }
      // Defined in several files: an error for each of them. The copy that was
      // already in force stays (stopping it would punish the node for a new
      // mistake); a key that was not in force starts from none of the files.
      std::string others;
      for (const auto& other : holders) {
        if (other != path) others += (others.empty() ? "" : ", ") + other;
      }
      auto previous = ownerByKey_.find(key);
      bool keep = previous != ownerByKey_.end() && previous->second == path;
      errors.push_back({"file:" + path, path + ": DaemonSet " + key + " is also defined in " + others +
                                            (keep ? "; keeping this file's copy, which was already in force"
                                                  : "; neither copy is applied until one is removed")});
      if (keep) {
        nextOwners[key] = path;
        selected.push_back({std::move(key), path, index});
      }
    }
  }
  std::stable_sort(selected.begin(), selected.end(), [](const auto& a, const auto& b) { return a.key < b.key; });

  bool changed = selected != selected_ || errors.size() != errors_.size();
  for (std::size_t i = 0; !changed && i < errors.size(); ++i) changed = errors[i].message != errors_[i].message;
  for (const auto& entry : selected) changed = changed || files_.at(entry.path).lastGoodChanged;
  for (auto& [path, state] : files_) state.lastGoodChanged = false;

  ownerByKey_ = std::move(nextOwners);
  selected_ = std::move(selected);
  errors_ = std::move(errors);
  return changed;
}

SourceSnapshot ManifestSet::snapshot() const {
  SourceSnapshot snapshot;
  snapshot.errors = errors_;
  snapshot.daemonSets.reserve(selected_.size());
  for (const auto& entry : selected_) snapshot.daemonSets.push_back(files_.at(entry.path).lastGood.at(entry.index));
  return snapshot;
}

}  // namespace daemonlet::sources
