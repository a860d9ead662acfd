#include "agent/sources/manifest_set.h"

#include <algorithm>
#include <set>

#include "agent/model/decode.h"
#include "agent/model/revision_hash.h"
#include "agent/model/validation.h"

namespace daemonlet::sources {

std::string daemonSetKey(const model::DaemonSet& daemonSet) {
  return daemonSet.metadata.namespace_ + "/" + daemonSet.metadata.name;
}

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
    parsed.daemonSets.push_back({std::move(daemonSet), std::move(revision), origin});
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
  if (state.errors.empty()) state.lastGood = std::move(parsed.daemonSets);
}

void ManifestSet::update(const std::vector<FileReading>& files) {
  std::set<std::string> present;
  for (const auto& reading : files) {
    present.insert(reading.path);
    refreshFile(files_[reading.path], reading);
  }
  for (auto it = files_.begin(); it != files_.end();) {
    it = present.count(it->first) ? std::next(it) : files_.erase(it);
  }
  rebuildSnapshot();
}

void ManifestSet::rebuildSnapshot() {
  std::map<std::string, std::vector<std::string>> filesByKey;
  for (const auto& [path, state] : files_) {
    for (const auto& sourced : state.lastGood) filesByKey[daemonSetKey(sourced.daemonSet)].push_back(path);
  }

  SourceSnapshot next;
  std::map<std::string, std::string> nextOwners;
  for (const auto& [path, state] : files_) {
    next.errors.insert(next.errors.end(), state.errors.begin(), state.errors.end());
    for (const auto& sourced : state.lastGood) {
      std::string key = daemonSetKey(sourced.daemonSet);
      const auto& holders = filesByKey[key];
      if (holders.size() == 1) {
        next.daemonSets.push_back(sourced);
        nextOwners[key] = path;
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
      next.errors.push_back({"file:" + path, path + ": DaemonSet " + key + " is also defined in " + others +
                                                 (keep ? "; keeping this file's copy, which was already in force"
                                                       : "; neither copy is applied until one is removed")});
      if (keep) {
        next.daemonSets.push_back(sourced);
        nextOwners[key] = path;
      }
    }
  }
  std::sort(next.daemonSets.begin(), next.daemonSets.end(), [](const auto& a, const auto& b) {
    return daemonSetKey(a.daemonSet) < daemonSetKey(b.daemonSet);
  });
  ownerByKey_ = std::move(nextOwners);
  snapshot_ = std::move(next);
}

}  // namespace daemonlet::sources
