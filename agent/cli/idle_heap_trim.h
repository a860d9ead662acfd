#pragma once
// IdleHeapTrim: gives the heap's free pages back to the kernel once a burst of
// work has settled. glibc returns memory only from the top of the heap; after a
// cold start of 200 daemons (manifests parsed, passes planned, status built)
// free pages sat between live blocks for good (bench/README.md). One timer,
// armed only by work and never re-armed while it waits, so an idle agent has
// no wake-ups from it.
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace daemonlet::cli {

class IdleHeapTrim {
 public:
  IdleHeapTrim(boost::asio::io_context& io, std::chrono::milliseconds settle) : timer_(io), settle_(settle) {}

  // Some work happened: trim once `settle` after the first call of a burst.
  void afterWork();

 private:
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds settle_;
  bool armed_ = false;
};

}  // namespace daemonlet::cli
