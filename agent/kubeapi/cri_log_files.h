#pragma once
// Reading a container's CRI log files (the format runtime/process/cri_log_writer.h
// writes and containerd writes: "<RFC3339Nano> <stdout|stderr> <F|P> <content>"),
// across rotations (<path>.<timestamp> files, oldest first, then <path>), with
// the options of `kubectl logs`: sinceTime/sinceSeconds, tailLines, timestamps,
// limitBytes. Partial (P) entries are joined into their line.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daemonlet::kubeapi {

struct LogOptions {
  std::string container;
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<std::int64_t> tailLines;
  std::optional<std::int64_t> limitBytes;
  std::optional<std::chrono::system_clock::time_point> since;  // sinceTime, or now - sinceSeconds
};

// Turns log bytes into lines as kubectl shows them; keeps an unfinished entry
// (no newline yet, or a P entry) until the rest arrives.
class CriLogParser {
 public:
  explicit CriLogParser(const LogOptions& options) : options_(options) {}
  // Appends the finished lines of `bytes` that pass the options' time filter to `out`.
  void feed(std::string_view bytes, std::vector<std::string>& out);

 private:
  void entry(std::string_view line, std::vector<std::string>& out);

  LogOptions options_;
  std::string unfinished_;  // bytes after the last newline
  std::string partial_;     // content of P entries so far
  std::string partialTime_;
};

// The rotated files of `path`, oldest first, then `path` itself (when present).
std::vector<std::string> logFilesOf(const std::string& path);

// The lines of all `files` with the options applied (tailLines, limitBytes).
std::string readLogs(const std::vector<std::string>& files, const LogOptions& options);

// Keeps the last `tail` lines and cuts at `limitBytes`; `lines` end in '\n'.
std::string assembleLines(std::vector<std::string> lines, const LogOptions& options);

}  // namespace daemonlet::kubeapi
