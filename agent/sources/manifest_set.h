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

#include "agent/model/object_key.h"

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
  // missing from it were removed, and their DaemonSets go with them. True when
  // the snapshot differs from the one before (DaemonSets, their revision,
  // origin or content, or the errors).
  bool update(const std::vector<FileReading>& files);

  // Assembled on each call from the files' last good versions: the DaemonSets
  // are held once (in the file states), not a second time in a stored snapshot,
  // because every copy of a DaemonSet costs the idle agent a few KiB per daemon.
  SourceSnapshot snapshot() const;

 private:
  struct FileState {
    std::string content;  // what the last parse saw; unchanged content is not re-parsed
    bool parsed = false;
    std::vector<SourcedDaemonSet> lastGood;  // in force until a good version replaces it
    std::vector<SourceError> errors;         // problems of the current content
    bool lastGoodChanged = false;            // lastGood replaced by different DaemonSets since the last update
  };
  // One DaemonSet of the snapshot: lastGood[index] of the file at `path`.
  struct Selected {
    std::string key;
    std::string path;
    std::size_t index = 0;
    bool operator==(const Selected&) const = default;
  };

  void refreshFile(FileState& state, const FileReading& reading);
  // Chooses the snapshot's DaemonSets and errors; true when they changed.
  bool reselect();

  std::map<std::string, FileState> files_;
  // Which file supplied each DaemonSet (namespace/name) in the last snapshot, so a
  // duplicate appearing later does not displace the copy already in force.
  std::map<std::string, std::string> ownerByKey_;
  std::vector<Selected> selected_;  // sorted by key
  std::vector<SourceError> errors_;
};

// Turns a file's content into its DaemonSets (defaulted, validated, hashed) or the
// errors that keep it from being used. Shared by every source.
struct ParsedManifests {
  std::vector<SourcedDaemonSet> daemonSets;
  std::vector<SourceError> errors;
};
ParsedManifests parseManifests(const std::string& content, const std::string& name, const std::string& origin);

}  // namespace daemonlet::sources
