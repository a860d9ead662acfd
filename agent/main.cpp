// daemonlet: the per-node DaemonSet agent. main() holds the one catch-all
// (STYLE.md §3); every subcommand lives in agent/cli/.
#include <malloc.h>

#include <exception>
#include <iostream>

#include "agent/cli/cli.h"

namespace {

// The agent idles for days between short bursts of work (a scan of 200
// manifests, a /api/v1/pods answer of a few MiB), so glibc's defaults, tuned for
// throughput, keep most of its resident memory as free heap:
//  - one arena per allocating thread (up to 8 per core): every HTTP worker and
//    source thread kept the high-water mark of its own bursts (bench/README.md),
//    although the threads hardly ever allocate at once. One arena lets them
//    reuse each other's free memory; the lock is uncontended at our rates.
//  - the mmap threshold rises to the largest block freed so far (and the trim
//    threshold to twice that), so after one large response every later one came
//    from the heap and was never given back. Fixed thresholds keep large
//    transient buffers in mmap (returned on free) and trim the heap top above
//    128 KiB.
// Set here (not via MALLOC_* variables) so they stay out of the daemons'
// environment. Not taken away: memory for work under way; only free memory is
// given back sooner.
void tuneAllocatorForIdleFootprint() {
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  tuneAllocatorForIdleFootprint();
  try {
    return daemonlet::cli::runCommandLine(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "daemonlet: internal error: " << e.what() << "\n";
    return 70;  // EX_SOFTWARE
  }
}
