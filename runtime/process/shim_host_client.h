#pragma once
// The agent's side of the shim host (shim_host.h): finds the host serving the
// runtime's state directory, starting one when none runs, asks it to start
// containers, and hears from it when a container's exit record is on disk.
//
// Threading: one io_context thread, as ProcessRuntime. Starting a host blocks
// that thread briefly (one exec of the small static shim and its "ready"),
// once per host; everything else is asynchronous.
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/base/result.h"
#include "runtime/process/shim_protocol.h"
#include "runtime/process/shim_wire.h"

namespace daemonlet::runtime::process {

class ShimHostClient {
 public:
  using ReportCallback = std::function<void(base::Result<ShimReport>)>;
  using ExitNotice = std::function<void(const std::string& containerId)>;

  // `shimCommand` is the host's argv prefix, e.g. {"/usr/lib/daemonlet/daemonlet-shim"}.
  ShimHostClient(boost::asio::io_context& io, std::vector<std::string> shimCommand, std::string socketPath,
                 std::chrono::milliseconds reportTimeout);
  ~ShimHostClient();
  ShimHostClient(const ShimHostClient&) = delete;
  ShimHostClient& operator=(const ShimHostClient&) = delete;

  // Called on the io_context with the id of each container whose exit the
  // host has recorded, and when the connection to the host is lost (the host
  // died: exits it had not recorded yet never will be).
  void setExitNotice(ExitNotice notice) { exitNotice_ = std::move(notice); }
  void setDisconnected(std::function<void()> handler) { disconnected_ = std::move(handler); }
  // Test hook (ProcessRuntimeOptions::holdStartReports): each start report
  // heard on the lasting connection is handed to `hold` and handled only when
  // the function it is given is called, on the io_context.
  using ReportHold = std::function<void(std::function<void()> handle)>;
  void setReportHold(ReportHold hold) { reportHold_ = std::move(hold); }

  // Connects to a host that is already running, so the exits of containers
  // adopted from it are heard; starts none.
  void connectIfRunning();

  // Starts the container through the host (starting the host first when
  // needed); `done` runs on the io_context, never before this returns. Many
  // starts can be in flight at once.
  void startAsync(const ShimSpec& spec, ReportCallback done);
  // The same, blocking the calling thread, on a connection of its own.
  base::Result<ShimReport> start(const ShimSpec& spec);

  // True while connected to the host that is this process (pid + start time).
  bool isConnectedHost(pid_t pid, std::uint64_t startTime) const;
  // The connected host's pid, 0 while not connected.
  pid_t connectedHostPid() const { return socket_ ? hostPid_ : 0; }

 private:
  struct PendingStart {
    ReportCallback done;
    std::string containerId;
    std::unique_ptr<boost::asio::steady_timer> deadline;
  };

  base::Status ensureConnected();
  base::Status adopt(int socketFd);
  void readMore();
  void onMessage(ShimMessage message);
  void onReport(const ShimMessage& message);
  void write(std::string frame);
  void writeNext();
  void drop(const std::string& why);
  void finishStart(std::uint64_t sequence, base::Result<ShimReport> outcome);

  boost::asio::io_context& io_;
  std::vector<std::string> shimCommand_;
  std::string socketPath_;
  std::chrono::milliseconds reportTimeout_;
  std::unique_ptr<boost::asio::local::stream_protocol::socket> socket_;
  // Counts connections made and dropped: a queued handler of an earlier
  // connection recognises itself by it (a new socket may reuse the address).
  std::uint64_t connection_ = 0;
  pid_t hostPid_ = 0;
  std::uint64_t hostStartTime_ = 0;
  ShimFrameReader reader_;
  std::array<char, 16 * 1024> readBuffer_{};
  std::deque<std::string> outbox_;
  bool writing_ = false;
  std::uint64_t nextSequence_ = 1;
  std::map<std::uint64_t, PendingStart> pending_;
  ExitNotice exitNotice_;
  std::function<void()> disconnected_;
  ReportHold reportHold_;
  // Handlers still queued after we are gone check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace daemonlet::runtime::process
