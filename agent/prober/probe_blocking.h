#pragma once
// Runs a blocking probe attempt (libcurl) on a thread pool and posts its outcome
// back to the io_context, so the reconciler's thread never waits on the network.
//
// The job must honour `cancelled` promptly (libcurl: a progress callback), since
// whoever owns the pool joins it at shutdown.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

#include "agent/loop/blocking_pool.h"
#include "agent/prober/probe_attempt.h"

namespace daemonlet::prober {

using BlockingProbeJob = std::function<ProbeOutcome(const std::atomic<bool>& cancelled)>;

std::shared_ptr<ProbeAttempt> startBlockingAttempt(boost::asio::io_context& io,
                                                   loop::BlockingPool& pool, BlockingProbeJob job,
                                                   ProbeCallback done);

}  // namespace daemonlet::prober
