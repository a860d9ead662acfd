#pragma once
// CriLogWriter: turns a container's stdout/stderr bytes into the CRI log format
// the kubelet and `kubectl logs` read:
//   <RFC3339Nano UTC time> <stdout|stderr> <F|P> <content>\n
// F ends a line; P marks a piece of a longer line (split at kMaxLineBytes, as
// containerd does) or a last line that ended without a newline. The file rotates
// by size: <path> is renamed to <path>.<UTC timestamp> and at most maxFiles files
// (current included) are kept.
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

class CriLogWriter {
 public:
  enum class Stream { kStdout = 0, kStderr = 1 };
  static constexpr size_t kMaxLineBytes = 16 * 1024;

  CriLogWriter(std::string path, std::int64_t maxBytes, int maxFiles);
  ~CriLogWriter();
  CriLogWriter(const CriLogWriter&) = delete;
  CriLogWriter& operator=(const CriLogWriter&) = delete;

  base::Status open();
  // Bytes as read from the stream; whole lines are written at once, the tail
  // waits for its newline.
  void append(Stream stream, std::string_view bytes);
  // The stream ended: a pending tail is written as a partial (P) line.
  void finish(Stream stream);

 private:
  void addEntry(Stream stream, bool partial, std::string_view content);
  void flushBatch();
  void rotate();

  std::string path_;
  std::int64_t maxBytes_;
  int maxFiles_;
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::string pending_[2];
  std::string batch_;
};

// RFC3339Nano in UTC as Go prints it: trailing zeros of the fraction dropped.
std::string formatRfc3339Nano(std::int64_t unixNano);
std::int64_t wallClockUnixNano();

}  // namespace daemonlet::runtime::process
