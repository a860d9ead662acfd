// Fuzz target: the bytes are a NodeReport as the fleet view reads it from a file
// or an upward endpoint.
#include <cstddef>
#include <cstdint>

#include "agent/status/node_report.h"
#include "test/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet;
  auto report = status::parseNodeReport(fuzz::asText(data, size), "fuzz-report.json");
  if (!report) {
    (void)report.error().describe();
    return 0;
  }
  for (const auto& ds : report->daemonSets) {
    for (const auto& pod : ds.pods) (void)pod.lastExitCode;
  }
  return 0;
}
