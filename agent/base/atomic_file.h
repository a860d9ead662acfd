#pragma once
// Crash-safe file replacement: write a temp file beside the target, fsync it,
// rename it over the target, fsync the directory. A reader (or a restarted agent)
// sees either the old content or the new, never a torn file.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>

#include "agent/base/result.h"

namespace daemonlet::base {

Status writeFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644);

enum class FileDurability {
  // temp file, fsync, rename, directory fsync: survives power loss once this
  // returns. Costs two journal commits (bench/README.md).
  kSynced,
  // temp file, rename: readers never see a torn file and the new content
  // survives a crash of any process (it is in the page cache), but not of the
  // host until something syncs it (see DeferredSync).
  kRenameOnly,
};
Status writeFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned mode,
                           FileDurability durability);

// Makes kRenameOnly writes durable a little later, off the caller's thread: after
// request(), a background thread waits for `quiet` without further requests (at
// most `maxDelay` after the first) and then syncfs()es the filesystem holding
// `directory`. A burst of writes (200 daemons starting) costs one sync instead
// of one journal commit each, and the caller never waits for the disk.
//
// For state that describes processes which die with the host anyway (container
// records, pod state): losing the last second of it on power loss loses nothing
// a reader needs after the reboot. The thread starts on a request and ends once
// nothing was requested for `idleExit` after its last sync, so an idle agent
// keeps no thread (nor stack) for it and has no wake-ups from it.
class DeferredSync {
 public:
  explicit DeferredSync(std::filesystem::path directory,
                        std::chrono::milliseconds quiet = std::chrono::milliseconds(200),
                        std::chrono::milliseconds maxDelay = std::chrono::seconds(2),
                        std::chrono::milliseconds idleExit = std::chrono::seconds(1));
  ~DeferredSync();  // syncs what is pending, then stops the thread
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;

  void request();
  // Blocks until everything requested so far is synced (tests, shutdown).
  void flush();

 private:
  void run();
  void syncNow();

  const std::filesystem::path directory_;
  const std::chrono::milliseconds quiet_;
  const std::chrono::milliseconds maxDelay_;
  const std::chrono::milliseconds idleExit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable synced_;
  std::uint64_t requested_ = 0;  // request() calls so far
  std::uint64_t done_ = 0;       // requests covered by a finished sync
  bool stopping_ = false;
  bool hurry_ = false;  // flush() waits: sync without the quiet period
  bool running_ = false;  // thread_ is in run(); false once it decided to end
  std::thread thread_;
};

}  // namespace daemonlet::base
