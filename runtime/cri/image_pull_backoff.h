#pragma once
// ImagePullBackoff: the kubelet's per-image pull back-off (its image manager keys
// a flowcontrol.Backoff by pod uid and image). A failed pull waits 10 s before
// the next attempt, doubling per failure up to 300 s; while it waits, a start is
// refused with ImagePullBackOff instead of pulling again. An entry left alone for
// twice the maximum starts over at 10 s, as the kubelet's does.
//
// Pure: `now` is passed in. Not thread-safe: used on the io_context only.
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "agent/base/clock.h"

namespace daemonlet::runtime::cri {

class ImagePullBackoff {
 public:
  static constexpr std::chrono::milliseconds kInitial{10'000};
  static constexpr std::chrono::milliseconds kMax{300'000};

  // How long a pull of `key` must still wait; unset: it may pull now.
  std::optional<std::chrono::milliseconds> remaining(const std::string& key, base::TimePoint now) const;
  // A pull of `key` failed at `now`: returns the wait before the next attempt.
  std::chrono::milliseconds failed(const std::string& key, base::TimePoint now);
  void succeeded(const std::string& key);

  // The kubelet's key: one back-off per pod and image.
  static std::string keyOf(const std::string& podUid, const std::string& image);

 private:
  struct Entry {
    std::chrono::milliseconds delay{0};
    base::TimePoint lastFailure{};
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace daemonlet::runtime::cri
