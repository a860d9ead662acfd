// Fuzz target: the bytes arrive on the agent <-> shim host socket. They are read
// as frames (in chunks the first byte picks), and each payload, as well as the
// whole input, is decoded as a spec and as a report. What decodes must survive
// an encode/decode round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/process/shim_protocol.h"
#include "runtime/process/shim_wire.h"
#include "test/fuzz/fuzz_support.h"

namespace {

using namespace daemonlet;
using namespace daemonlet::runtime::process;

void decodePayload(const std::string& text) {
  if (auto spec = decodeShimSpec(text)) {
    auto again = decodeShimSpec(encodeShimSpec(*spec));
    fuzz::require(again && again->argv == spec->argv && again->uid == spec->uid, "spec round trip");
  }
  if (auto report = decodeShimReport(text)) {
    auto again = decodeShimReport(encodeShimReport(*report));
    fuzz::require(again && again->pid == report->pid && again->warnings == report->warnings,
                  "report round trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 32;
  const std::string_view bytes = fuzz::asText(data + 1, size - 1);

  ShimFrameReader reader;
  for (std::size_t at = 0; at < bytes.size() && !reader.failed(); at += chunk) {
    reader.append(bytes.substr(at, chunk));
    while (auto message = reader.next()) {
      decodePayload(message->payload);
      ShimFrameReader echo;
      echo.append(encodeShimMessage(*message));
      auto back = echo.next();
      fuzz::require(back && back->kind == message->kind && back->sequence == message->sequence &&
                        back->payload == message->payload,
                    "frame round trip");
    }
  }
  decodePayload(std::string(bytes));
  return 0;
}
