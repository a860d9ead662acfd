// Fuzz target: the bytes are a central endpoint's answer (acceptEndpointBody),
// accepted once on its own and once over the snapshot it gave (the path that
// keeps last good versions of rejected DaemonSets).
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/sources/endpoint_snapshot.h"
#include "test/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet;
  const std::string body(fuzz::asText(data, size));
  const std::string url = "https://endpoint.example/daemonsets";
  auto first = sources::acceptEndpointBody(body, url, nullptr);
  if (!first) return 0;
  for (const auto& error : first->errors) (void)error.message;
  auto again = sources::acceptEndpointBody(body, url, &*first);
  fuzz::require(static_cast<bool>(again), "a body accepted once is refused the second time");
  fuzz::require(again->daemonSets.size() == first->daemonSets.size(), "accepting twice changes the set");
  return 0;
}
