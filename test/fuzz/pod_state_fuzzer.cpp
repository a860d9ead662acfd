// Fuzz target: the bytes are a pod state file (<stateDir>/pods/<uid>.json) as the
// agent decodes it at start. A record it cannot use must come back as an error
// naming the field, never a crash or an escaping exception (a crash loop at
// every start).
#include <cstddef>
#include <cstdint>

#include "agent/reconciler/pod_state_decode.h"
#include "test/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet;
  static const reconciler::ClockReading now{base::TimePoint{std::chrono::hours(1)},
                                            base::WallTime{std::chrono::hours(24 * 365 * 56)}};
  const auto decoded =
      reconciler::decodePodState(fuzz::asText(data, size), "0b9d1b5e-7a3c-4c1e-9d7e-1f2a3b4c5d6e", now);
  fuzz::require(decoded || !decoded.error().message.empty(), "a pod record refused without a reason");
  return 0;
}
