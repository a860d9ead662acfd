#pragma once
// ProcessRuntime's bookkeeping for one container (private to the runtime).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/base/retry_backoff.h"
#include "runtime/process/container_record.h"
#include "runtime/process/process_runtime.h"

namespace daemonlet::runtime::process {

struct ProcessRuntime::Tracked {
  ContainerRecord record;
  ContainerState state = ContainerState::kUnknown;
  bool recordOnDisk = true;  // false for live processes found only by their marker
  std::optional<ExitRecord> exit;  // unset once exited: the status was lost
  // The container's pidfd while it runs; readable once it exits.
  std::unique_ptr<boost::asio::posix::stream_descriptor> containerWatch;
  // For a container of an earlier version's per-container shim: that shim's
  // pidfd after the container exited; readable once the exit record is written.
  std::unique_ptr<boost::asio::posix::stream_descriptor> shimWatch;
  std::unique_ptr<boost::asio::steady_timer> killTimer;
  std::unique_ptr<boost::asio::steady_timer> shimTimer;
  bool containerGone = false;
  // The pidfd could not be opened for a reason of ours (EMFILE, ENOMEM): the
  // container stays running and watch() is retried after this back-off.
  base::RetryBackoff watchRetry;
  std::unique_ptr<boost::asio::steady_timer> watchRetryTimer;
  // A second live instance of the same container found at adoption: being
  // stopped, not reported by list().
  bool duplicate = false;
  std::vector<StopCallback> stopWaiters;
};

}  // namespace daemonlet::runtime::process
