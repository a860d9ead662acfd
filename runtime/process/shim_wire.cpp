#include "runtime/process/shim_wire.h"

#include <charconv>
#include <cstring>

namespace daemonlet::runtime::process {
namespace {

constexpr std::size_t kLengthBytes = sizeof(std::uint32_t);

const char* kindName(ShimMessageKind kind) {
  switch (kind) {
    case ShimMessageKind::kStart: return "start";
    case ShimMessageKind::kReport: return "report";
    case ShimMessageKind::kExited: return "exited";
  }
  return "?";
}

std::optional<ShimMessageKind> kindFromName(std::string_view name) {
  for (ShimMessageKind kind : {ShimMessageKind::kStart, ShimMessageKind::kReport, ShimMessageKind::kExited}) {
    if (name == kindName(kind)) return kind;
  }
  return std::nullopt;
}

std::optional<ShimMessage> parseBody(std::string_view body) {
  std::size_t firstSpace = body.find(' ');
  if (firstSpace == std::string_view::npos) return std::nullopt;
  std::size_t secondSpace = body.find(' ', firstSpace + 1);
  if (secondSpace == std::string_view::npos) return std::nullopt;
  auto kind = kindFromName(body.substr(0, firstSpace));
  if (!kind) return std::nullopt;
  ShimMessage message;
  message.kind = *kind;
  const char* first = body.data() + firstSpace + 1;
  const char* last = body.data() + secondSpace;
  auto [end, ec] = std::from_chars(first, last, message.sequence);
  if (ec != std::errc() || end != last) return std::nullopt;
  message.payload = std::string(body.substr(secondSpace + 1));
  return message;
}

}  // namespace

std::string encodeShimMessage(const ShimMessage& message) {
  std::string body = std::string(kindName(message.kind)) + " " + std::to_string(message.sequence) + " " +
                     message.payload;
  auto length = static_cast<std::uint32_t>(body.size());
  std::string frame(kLengthBytes, '\0');
  std::memcpy(frame.data(), &length, kLengthBytes);
  return frame + body;
}

std::optional<ShimMessage> ShimFrameReader::next() {
  if (failed_ || buffer_.size() < kLengthBytes) return std::nullopt;
  std::uint32_t length = 0;
  std::memcpy(&length, buffer_.data(), kLengthBytes);
  if (length > kMaxFrameBytes) {
    failed_ = true;
    return std::nullopt;
  }
  if (buffer_.size() < kLengthBytes + length) return std::nullopt;
  auto message = parseBody(std::string_view(buffer_).substr(kLengthBytes, length));
  buffer_.erase(0, kLengthBytes + length);
  if (!message) failed_ = true;
  return message;
}

}  // namespace daemonlet::runtime::process
