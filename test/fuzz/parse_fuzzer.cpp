// Fuzz target: arbitrary bytes through the whole reading and decoding path. Any
// crash, sanitizer report or escaping exception is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/model/decode.h"
#include "agent/model/quantity.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet::model;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const DecodedFile file = decodeFile(input, "fuzz.yaml");
  for (const auto& error : file.errors) (void)error.format();
  for (const auto& ds : file.daemonSets) (void)ds.raw.dump();

  // Node decoding and raw quantities see the same bytes.
  if (auto documents = readDocuments(input, "fuzz.yaml")) {
    for (const auto& document : *documents) (void)decodeNode(document);
  }
  if (size <= 64) {
    if (auto q = Quantity::parse(input)) {
      (void)q->canonical();
      (void)q->value();
      (void)q->milliValue();
      (void)q->compare(*q);
    }
  }
  return 0;
}
