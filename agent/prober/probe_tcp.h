#pragma once
// tcpSocket probe attempt: success when a TCP connection to host:port opens
// within the timeout (it is closed at once; nothing is sent). Runs entirely on
// the io_context with Asio's asynchronous resolve and connect.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/prober/probe_attempt.h"

namespace daemonlet::prober {

std::shared_ptr<ProbeAttempt> startTcpAttempt(boost::asio::io_context& io, const std::string& host,
                                              std::uint16_t port, ProbeTimeout timeout, ProbeCallback done);

}  // namespace daemonlet::prober
