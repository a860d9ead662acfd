#include "agent/sources/manifest_directory.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <boost/asio/error.hpp>

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
}

bool ManifestDirectorySource::ensureWatch() {
  if (watchDescriptor_ >= 0) return true;
  if (!inotify_.is_open()) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return false;
    inotify_.assign(fd);
  }
  watchDescriptor_ = inotify_add_watch(inotify_.native_handle(), options_.directory.c_str(), kWatchMask);
  if (watchDescriptor_ < 0) return false;  // directory missing: the resync timer retries
  readEvents();
  return true;
}

void ManifestDirectorySource::readEvents() {
  inotify_.async_read_some(boost::asio::buffer(eventBuffer_), [this](boost::system::error_code ec, std::size_t n) {
    if (ec == boost::asio::error::operation_aborted || stopped_) return;
    if (ec) {
      watchDescriptor_ = -1;  // re-established by the next resync
      return;
    }
    bool relevant = false;
    bool watchGone = false;
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(eventBuffer_ + offset);
      std::string name = event->len > 0 ? std::string(event->name) : std::string();
      if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW)) {
        watchGone = watchGone || !(event->mask & IN_Q_OVERFLOW);
        relevant = true;
      } else if (isManifestName(name)) {
        relevant = true;
      }
      offset += sizeof(inotify_event) + event->len;
    }
    if (watchGone) {
      inotify_rm_watch(inotify_.native_handle(), watchDescriptor_);
      watchDescriptor_ = -1;
    }
    if (relevant) scheduleRescan(options_.debounce);
    if (watchDescriptor_ >= 0) readEvents();
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
  std::vector<FileReading> readings;
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (std::filesystem::directory_iterator it(options_.directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (!isManifestName(it->path().filename().string())) continue;
    std::error_code typeError;
    if (!it->is_regular_file(typeError)) continue;  // follows symlinks, as kubelet does
    paths.push_back(it->path());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    // The directory is unreadable: keep every last good file rather than treat
    // it as empty.
    SourceSnapshot snapshot = manifests_.snapshot();
    snapshot.errors.push_back({"file:" + options_.directory.string(),
                               options_.directory.string() + ": cannot list directory: " + ec.message()});
    onSnapshot_(snapshot);
    return;
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) readings.push_back(readFile(path));
  // The periodic resync usually finds nothing new: no snapshot is built then.
  bool changed = manifests_.update(readings);
  if (!changed && published_) return;
  published_ = true;
  onSnapshot_(manifests_.snapshot());
}

}  // namespace daemonlet::sources
