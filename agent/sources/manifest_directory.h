#pragma once
// ManifestDirectorySource: watches a directory of DaemonSet manifests (*.yaml,
// *.yml, *.json) with inotify and publishes a whole SourceSnapshot after every
// settled change.
//
// Threading: everything runs on the io_context passed in; `onSnapshot` is called
// there. Reading and parsing files blocks briefly, so give it an io_context that is
// not the reconciler's and post the snapshot across.
//
// Editors' temp files (dot files, "~" backups, "#...#") are ignored; a burst of
// events (atomic rename, partial writes) is debounced into one rescan; a periodic
// rescan catches anything inotify cannot report (e.g. the directory created later).
#include <chrono>
#include <filesystem>
#include <functional>
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
  bool ensureWatch();
  void readEvents();
  void scheduleRescan(std::chrono::milliseconds delay);
  void scheduleResync();

  boost::asio::io_context& io_;
  ManifestDirectoryOptions options_;
  SnapshotHandler onSnapshot_;
  ManifestSet manifests_;
  boost::asio::posix::stream_descriptor inotify_;
  int watchDescriptor_ = -1;
  boost::asio::steady_timer debounceTimer_;
  boost::asio::steady_timer resyncTimer_;
  char eventBuffer_[16 * 1024];
  bool stopped_ = false;
  bool published_ = false;
};

}  // namespace daemonlet::sources
