#pragma once
// ManifestDirectorySource: watches a directory of DaemonSet manifests (*.yaml,
// *.yml, *.json) with inotify and publishes a whole SourceSnapshot after every
// settled change.
//
// Threading: everything runs on the io_context passed in; `onSnapshot` is called
// there. Reading and parsing files blocks briefly, so give it an io_context that is
// not the reconciler's and post the snapshot across.
//
// Editors' temp files (dot files, "~" backups, "#...#") are ignored. A file
// still being written (created or modified, not yet closed) is waited for: the
// rescan is debounced until the writes settle. When every file that changed is
// complete (closed after writing, renamed in or out, deleted) the rescan runs at
// once, so a manifest renamed into place starts without waiting out a window
// meant for partial writes. A periodic rescan catches anything inotify cannot report.
//
// The directory itself can go away (deleted, renamed, a symlink re-pointed or left
// dangling): that is a source that cannot be read, never an empty one. The last
// good set stays in force, the snapshot carries the error (/status sourceErrors),
// it is logged once when it starts or changes and once on recovery. The parent
// directory is watched too, so a directory that comes back or a symlink that is
// re-pointed is read again within the debounce, not at the next resync.
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/sources/manifest_set.h"

namespace daemonlet::sources {

struct ManifestDirectoryOptions {
  std::filesystem::path directory;
  std::chrono::milliseconds debounce{200};
  std::chrono::seconds resync{20};
};

class ManifestDirectorySource {
 public:
  using SnapshotHandler = std::function<void(const SourceSnapshot&)>;

  ManifestDirectorySource(boost::asio::io_context& io, ManifestDirectoryOptions options, SnapshotHandler onSnapshot);
  ~ManifestDirectorySource();
  ManifestDirectorySource(const ManifestDirectorySource&) = delete;
  ManifestDirectorySource& operator=(const ManifestDirectorySource&) = delete;

  // Scans once synchronously (publishing the first snapshot) and starts watching.
  void start();
  void stop();

  // True for names the source reads: *.yaml, *.yml, *.json that are not editor
  // or atomic-write temporaries.
  static bool isManifestName(const std::string& fileName);

 private:
  void rescan();
  void publishListingError(const std::string& why);
  bool ensureWatch();
  void ensureParentWatch();
  void rewatchDirectory();
  void readEvents();
  void scheduleRescan(std::chrono::milliseconds delay);
  void scheduleResync();

  boost::asio::io_context& io_;
  ManifestDirectoryOptions options_;
  SnapshotHandler onSnapshot_;
  ManifestSet manifests_;
  boost::asio::posix::stream_descriptor inotify_;
  int watchDescriptor_ = -1;
  int parentWatchDescriptor_ = -1;
  bool reading_ = false;          // an async read of inotify_ is pending
  std::set<std::string> beingWritten_;  // manifests created or modified and not yet closed
  bool listedOnce_ = false;       // the directory was listed at least once
  std::string listingError_;      // the current listing failure, "" when listing works
  boost::asio::steady_timer debounceTimer_;
  boost::asio::steady_timer resyncTimer_;
  char eventBuffer_[16 * 1024];
  bool stopped_ = false;
  bool published_ = false;
};

}  // namespace daemonlet::sources
