#pragma once
// The byte format between the agent and the shim host (shim_host.h) on the
// host's unix stream socket. Each message is one frame: a 4-byte length (host
// byte order: both ends run on this machine) and the body
//   "<kind> <sequence> <payload>"
// kinds:
//   start    agent → host  payload: ShimSpec JSON    (encodeShimSpec)
//   report   host → agent  payload: ShimReport JSON  (answers the start with the same sequence)
//   exited   host → agent  payload: the container's record id, sent once its exit record is on disk
// A frame over kMaxFrameBytes, or one that does not parse, is a protocol error:
// the reader stops and the peer is dropped.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace daemonlet::runtime::process {

inline constexpr std::size_t kMaxFrameBytes = 4 * 1024 * 1024;

enum class ShimMessageKind { kStart, kReport, kExited };

struct ShimMessage {
  ShimMessageKind kind = ShimMessageKind::kStart;
  std::uint64_t sequence = 0;
  std::string payload;
};

std::string encodeShimMessage(const ShimMessage& message);

// Collects bytes from a stream and hands out whole messages.
class ShimFrameReader {
 public:
  void append(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete message, if one is buffered. Sets failed() on a frame
  // that is too long or does not parse; nothing more comes out after that.
  std::optional<ShimMessage> next();
  bool failed() const { return failed_; }

 private:
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace daemonlet::runtime::process
