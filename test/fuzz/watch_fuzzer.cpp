// Fuzz target: the bytes are a Kubernetes watch stream (one JSON event per line),
// delivered in chunks whose sizes the first byte picks, as a network would split
// them. Every line goes through the event, Status and key decoders, and what is
// accepted is written out again as the list state does.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/sources/kube_watch_decoder.h"
#include "test/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet;
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view stream = fuzz::asText(data + 1, size - 1);

  sources::WatchLineSplitter splitter(64 * 1024);
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    if (!splitter.feed(stream.substr(at, chunk), lines)) break;
  }
  for (const auto& line : lines) {
    fuzz::require(!line.empty() && line.find('\n') == std::string::npos, "splitter returned a bad line");
    auto event = sources::parseWatchEvent(line);
    if (!event) continue;
    (void)sources::watchEventTypeName(event->type);
    (void)sources::objectResourceVersion(event->object);
    (void)sources::objectKey(event->object, true);
    (void)sources::objectKey(event->object, false);
    (void)event->object.dump();  // as KubeListState::listBody() writes it out
    if (auto status = sources::parseApiStatus(event->object)) (void)sources::describeApiStatus(*status);
  }
  if (auto status = sources::parseApiStatusBody(stream)) (void)sources::describeApiStatus(*status);
  return 0;
}
