#include "agent/sources/manifest_directory.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <boost/asio/error.hpp>

#include "agent/base/log.h"

namespace daemonlet::sources {
namespace {

constexpr std::uint32_t kWatchMask = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM |
                                     IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
constexpr std::uintmax_t kMaxManifestBytes = 16 * 1024 * 1024;

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

FileReading readFile(const std::filesystem::path& path) {
  FileReading reading{path.string(), std::nullopt, {}};
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    reading.readError = ec.message();
    return reading;
  }
  if (size > kMaxManifestBytes) {
    reading.readError = "file is " + std::to_string(size) + " bytes, larger than the 16 MiB limit";
    return reading;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    reading.readError = "cannot open for reading";
    return reading;
  }
  std::ostringstream content;
  content << in.rdbuf();
  reading.content = content.str();
  return reading;
}

}  // namespace

ManifestDirectorySource::ManifestDirectorySource(boost::asio::io_context& io, ManifestDirectoryOptions options,
                                                 SnapshotHandler onSnapshot)
    : io_(io),
      options_(std::move(options)),
      onSnapshot_(std::move(onSnapshot)),
      inotify_(io),
      debounceTimer_(io),
      resyncTimer_(io) {}

ManifestDirectorySource::~ManifestDirectorySource() { stop(); }

bool ManifestDirectorySource::isManifestName(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.front() == '#' || name.back() == '~') return false;
  return endsWith(name, ".yaml") || endsWith(name, ".yml") || endsWith(name, ".json");
}

void ManifestDirectorySource::start() {
  stopped_ = false;
  ensureWatch();
  rescan();
  scheduleResync();
}

void ManifestDirectorySource::stop() {
  stopped_ = true;
  debounceTimer_.cancel();
  resyncTimer_.cancel();
  if (inotify_.is_open()) {
    boost::system::error_code ignored;
    inotify_.close(ignored);
  }
  watchDescriptor_ = -1;
  parentWatchDescriptor_ = -1;
  reading_ = false;
}

bool ManifestDirectorySource::ensureWatch() {
  if (!inotify_.is_open()) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return false;
    inotify_.assign(fd);
  }
  ensureParentWatch();
  if (watchDescriptor_ < 0) {
    // Follows a symlink: the watch is on the directory it points to now.
    watchDescriptor_ = inotify_add_watch(inotify_.native_handle(), options_.directory.c_str(), kWatchMask);
  }
  if (watchDescriptor_ >= 0 || parentWatchDescriptor_ >= 0) readEvents();
  return watchDescriptor_ >= 0;  // directory missing: the parent watch or the resync timer retries
}

void ManifestDirectorySource::ensureParentWatch() {
  if (parentWatchDescriptor_ >= 0) return;
  // Only events naming the directory matter here: its creation, removal, a rename
  // onto it (`ln -sfn` re-points a symlink by renaming a new one over it).
  const auto parent = options_.directory.lexically_normal().parent_path();
  parentWatchDescriptor_ =
      inotify_add_watch(inotify_.native_handle(), parent.empty() ? "." : parent.c_str(),
                        IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR);
}

void ManifestDirectorySource::rewatchDirectory() {
  if (watchDescriptor_ >= 0) inotify_rm_watch(inotify_.native_handle(), watchDescriptor_);
  watchDescriptor_ = -1;
  ensureWatch();
}

void ManifestDirectorySource::readEvents() {
  if (reading_ || !inotify_.is_open()) return;
  reading_ = true;
  inotify_.async_read_some(boost::asio::buffer(eventBuffer_), [this](boost::system::error_code ec, std::size_t n) {
    reading_ = false;
    if (ec == boost::asio::error::operation_aborted || stopped_) return;
    if (ec) {
      // Both watches are re-established by the next resync.
      watchDescriptor_ = -1;
      parentWatchDescriptor_ = -1;
      return;
    }
    const std::string directoryName = options_.directory.lexically_normal().filename().string();
    bool relevant = false;
    bool watchGone = false;
    bool directoryReplaced = false;
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(eventBuffer_ + offset);
      std::string name = event->len > 0 ? std::string(event->name) : std::string();
      if (event->mask & IN_Q_OVERFLOW) {
        relevant = true;
        directoryReplaced = true;  // events were lost: look again at everything
      } else if (event->wd == parentWatchDescriptor_) {
        if (event->mask & IN_IGNORED) parentWatchDescriptor_ = -1;
        if (name == directoryName) directoryReplaced = relevant = true;
      } else if (event->wd == watchDescriptor_) {
        if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
          watchGone = true;
          relevant = true;
        } else if (isManifestName(name)) {
          relevant = true;
          if (event->mask & (IN_CREATE | IN_MODIFY)) beingWritten_.insert(name);
          if (event->mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) beingWritten_.erase(name);
        }
      }
      // Events of a watch already replaced (e.g. IN_IGNORED after rewatchDirectory) are stale.
      offset += sizeof(inotify_event) + event->len;
    }
    if (watchGone && watchDescriptor_ >= 0) {
      inotify_rm_watch(inotify_.native_handle(), watchDescriptor_);
      watchDescriptor_ = -1;
    }
    if (directoryReplaced || watchGone) rewatchDirectory();
    // Complete files are read at once; the next batch of events (if any is
    // already queued) still joins this rescan, which runs after it is read.
    if (relevant) scheduleRescan(beingWritten_.empty() ? std::chrono::milliseconds(0) : options_.debounce);
    readEvents();
  });
}

void ManifestDirectorySource::scheduleRescan(std::chrono::milliseconds delay) {
  // Each event pushes the rescan back: a burst (write, write, rename) settles
  // into one read of the finished file.
  debounceTimer_.expires_after(delay);
  debounceTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopped_) rescan();
  });
}

void ManifestDirectorySource::scheduleResync() {
  resyncTimer_.expires_after(options_.resync);
  resyncTimer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    ensureWatch();
    rescan();
    scheduleResync();
  });
}

void ManifestDirectorySource::rescan() {
  // Writes have settled (or the resync came): a close that inotify never
  // reported (a lost event) must not keep every later change debounced.
  beingWritten_.clear();
  std::vector<FileReading> readings;
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (std::filesystem::directory_iterator it(options_.directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (!isManifestName(it->path().filename().string())) continue;
    std::error_code typeError;
    if (!it->is_regular_file(typeError)) continue;  // follows symlinks, as kubelet does
    paths.push_back(it->path());
  }
  if (ec) {
    // Missing (deleted, a dangling symlink), not a directory, or unreadable: the
    // source cannot be read, which is not the same as empty.
    publishListingError(ec.message());
    return;
  }
  if (!listingError_.empty()) {
    base::logInfo("manifest directory readable again", {{"directory", options_.directory.string()}});
    listingError_.clear();
    published_ = false;  // the snapshot sent during the failure carried the error: replace it
  }
  listedOnce_ = true;
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) readings.push_back(readFile(path));
  // The periodic resync usually finds nothing new: no snapshot is built then.
  bool changed = manifests_.update(readings);
  if (!changed && published_) return;
  published_ = true;
  onSnapshot_(manifests_.snapshot());
}

void ManifestDirectorySource::publishListingError(const std::string& why) {
  SourceSnapshot snapshot = manifests_.snapshot();
  const std::string message = options_.directory.string() + ": cannot list the manifest directory: " + why +
                              "; keeping the " + std::to_string(snapshot.daemonSets.size()) +
                              " DaemonSets last read from it";
  // Logged when the failure starts or changes, and on recovery (rescan()): the
  // resync repeats it every 20 s otherwise.
  if (message != listingError_) {
    base::logWarning("cannot list the manifest directory; keeping its last good DaemonSets",
                     {{"directory", options_.directory.string()}, {"error", why},
                      {"daemonSets", std::to_string(snapshot.daemonSets.size())}});
  }
  listingError_ = message;
  snapshot.errors.push_back({"file:" + options_.directory.string(), message});
  // Never listed: what the directory holds is unknown, so nothing it may have
  // defined is stopped (SourceSnapshot::complete).
  if (!listedOnce_) snapshot.complete = false;
  onSnapshot_(snapshot);
}

}  // namespace daemonlet::sources
