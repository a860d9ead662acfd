#include "agent/cli/idle_heap_trim.h"

#include <malloc.h>

namespace daemonlet::cli {

void IdleHeapTrim::afterWork() {
  if (armed_) return;
  armed_ = true;
  timer_.expires_after(settle_);
  timer_.async_wait([this](boost::system::error_code ec) {
    armed_ = false;
    if (!ec) ::malloc_trim(0);
  });
}

}  // namespace daemonlet::cli
