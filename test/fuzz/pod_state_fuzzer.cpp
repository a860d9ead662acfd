// Fuzz target: the bytes are a pod state file (<stateDir>/pods/<uid>.json) as the
// agent loads it at start. A file it cannot use must come back as an error
// naming it, never a crash or an escaping exception (a crash loop at every start).
#include <cstddef>
#include <cstdint>

#include "agent/base/clock.h"
#include "agent/reconciler/pod_state_store.h"
#include "test/fuzz/fuzz_support.h"

namespace {

using namespace daemonlet;

// Loads the one pod file there is; the only call into the code under test.
reconciler::PodStateStore::Loaded loadPodStateFile(const std::filesystem::path& pods) {
  static const base::ManualClock clock;
  return reconciler::PodStateStore(pods, clock).loadAll();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto pods = [] {
    auto dir = fuzz::scratchDir() / "pods";
    std::filesystem::create_directories(dir);
    return dir;
  }();
  fuzz::writeFile(pods / "0b9d1b5e-7a3c-4c1e-9d7e-1f2a3b4c5d6e.json", fuzz::asText(data, size));
  const auto loaded = loadPodStateFile(pods);
  fuzz::require(loaded.pods.size() + loaded.errors.size() == 1, "a pod file neither loaded nor reported");
  return 0;
}
