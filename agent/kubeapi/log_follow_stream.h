#pragma once
// `kubectl logs -f`: the lines there are now (after tailLines/sinceTime), then
// each new line as the container writes it, across rotations, until the
// container is no longer the one running (it exited or was replaced), limitBytes
// is reached or the client leaves. Pulled by the API front's poll thread
// (status/response_stream.h): no thread of its own, no blocking read.
#include <sys/types.h>

#include <functional>
#include <string>

#include "agent/kubeapi/cri_log_files.h"
#include "agent/kubeapi/stream_slots.h"
#include "agent/status/response_stream.h"

namespace daemonlet::kubeapi {

class LogFollowStream final : public status::ResponseStream {
 public:
  LogFollowStream(std::string path, LogOptions options, std::function<bool()> stillRunning, StreamSlots::Slot slot);
  ~LogFollowStream() override;

  std::string contentType() const override { return "text/plain"; }
  bool pull(std::string& out, std::size_t budget, std::chrono::steady_clock::time_point now) override;

 private:
  void readNew(std::vector<std::string>& lines);
  bool reopenIfRotated();
  bool emit(std::vector<std::string>& lines, std::string& out);  // false once limitBytes is reached

  std::string path_;
  LogOptions options_;
  std::function<bool()> stillRunning_;
  StreamSlots::Slot slot_;
  CriLogParser parser_;
  int fd_ = -1;
  ino_t inode_ = 0;
  std::string first_;  // the existing lines, sent by the first pull
  bool sentFirst_ = false;
  std::size_t sent_ = 0;
};

}  // namespace daemonlet::kubeapi
