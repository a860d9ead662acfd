#pragma once
// ManifestSet: the pure half of the manifest-directory source. It turns successive
// scans of a directory (file name -> content) into a SourceSnapshot, keeping each
// file's last good version in force when the file stops parsing or validating, and
// refusing to let either copy of a DaemonSet defined in two files silently win.
//
// Not thread-safe; owned by the directory watcher.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/sources/source_snapshot.h"

namespace daemonlet::sources {

struct FileReading {
  std::string path;
  std::optional<std::string> content;  // nullopt when the read failed
  std::string readError;               // why the read failed
};

class ManifestSet {
 public:
  // Applies one full scan: `files` is everything the directory holds now; files
  // missing from it were removed, and their DaemonSets go with them.
  void update(const std::vector<FileReading>& files);

  const SourceSnapshot& snapshot() const { return snapshot_; }

 private:
  struct FileState {
    std::string content;  // what the last parse saw; unchanged content is not re-parsed
    bool parsed = false;
    std::vector<SourcedDaemonSet> lastGood;  // in force until a good version replaces it
    std::vector<SourceError> errors;         // problems of the current content
  };

  void refreshFile(FileState& state, const FileReading& reading);
  void rebuildSnapshot();

  std::map<std::string, FileState> files_;
  // Which file supplied each DaemonSet (namespace/name) in the last snapshot, so a
  // duplicate appearing later does not displace the copy already in force.
  std::map<std::string, std::string> ownerByKey_;
  SourceSnapshot snapshot_;
};

// "namespace/name" of a DaemonSet: the identity used across sources.
std::string daemonSetKey(const model::DaemonSet& daemonSet);

// Turns a file's content into its DaemonSets (defaulted, validated, hashed) or the
// errors that keep it from being used. Shared by every source.
struct ParsedManifests {
  std::vector<SourcedDaemonSet> daemonSets;
  std::vector<SourceError> errors;
};
ParsedManifests parseManifests(const std::string& content, const std::string& name, const std::string& origin);

}  // namespace daemonlet::sources
