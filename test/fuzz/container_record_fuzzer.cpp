// Fuzz target: the bytes are a file in the runtime's state directory, read as a
// container record and as an exit record, and as a record id. What decodes must
// survive an encode/decode round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/process/container_record.h"
#include "test/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet;
  using namespace daemonlet::runtime::process;
  const std::string text(fuzz::asText(data, size));

  if (auto record = decodeRecord(text)) {
    (void)fromUnixNano(record->startedAtUnixNano);
    auto again = decodeRecord(encodeRecord(*record));
    fuzz::require(again && again->pid == record->pid && again->pidStartTime == record->pidStartTime &&
                      again->id == record->id,
                  "record round trip");
  }
  if (auto exit = decodeExitRecord(text)) {
    (void)fromUnixNano(exit->finishedAtUnixNano);
    auto again = decodeExitRecord(encodeExitRecord(*exit));
    fuzz::require(again && again->exitCode == exit->exitCode && again->signal == exit->signal,
                  "exit record round trip");
  }
  if (auto parts = parseRecordId(text))
    (void)makeRecordId(parts->podUid, parts->containerName, parts->restartCount);
  return 0;
}
