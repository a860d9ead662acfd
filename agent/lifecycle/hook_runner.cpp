#include "agent/lifecycle/hook_runner.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

#include "agent/prober/probe_attempt.h"
#include "agent/prober/probe_http.h"
#include "agent/prober/probe_spec.h"

namespace daemonlet::lifecycle {
namespace {

// Go's %v of a []string, as the kubelet's messages print a command.
std::string renderCommand(const std::vector<std::string>& command) {
  std::string out = "[";
  for (std::size_t i = 0; i < command.size(); ++i) out += (i ? " " : "") + command[i];
  return out + "]";
}

std::string secondsText(std::chrono::milliseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

// One hook run: the handler's own work (an exec, an HTTP attempt or the sleep
// timer) raced against the limit timer; whichever ends first finishes it.
class Run : public HookRun, public std::enable_shared_from_this<Run> {
 public:
  Run(boost::asio::io_context& io, HookCallback done)
      : io_(io), limit_(io), sleep_(io), done_(std::move(done)) {}

  void armLimit(std::chrono::milliseconds limit, std::string what) {
    limit_.expires_after(limit);
    limit_.async_wait(
        [self = shared_from_this(), limit, what = std::move(what)](const boost::system::error_code& ec) {
          if (ec) return;
          self->stopWork();
          self->finish({false, what + " did not complete within " + secondsText(limit)});
        });
  }

  void startExec(const HookExec& exec, const std::vector<std::string>& command,
                 std::chrono::milliseconds limit, std::string failurePrefix) {
    exec_ = exec(command, limit,
                 [self = shared_from_this(), prefix = std::move(failurePrefix)](runtime::ExecResult r) {
                   self->finish(r.success ? HookOutcome{true, {}} : HookOutcome{false, prefix + r.message});
                 });
  }

  void startHttp(loop::BlockingPool& pool, prober::HttpProbeRequest request, std::chrono::milliseconds limit,
                 std::string failurePrefix) {
    http_ = prober::startHttpAttempt(
        io_, pool, std::move(request), limit,
        [self = shared_from_this(), prefix = std::move(failurePrefix)](prober::ProbeOutcome r) {
          self->finish(r.success ? HookOutcome{true, {}} : HookOutcome{false, prefix + r.message});
        });
  }

  void startSleep(std::chrono::seconds seconds) {
    sleep_.expires_after(seconds);
    sleep_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->finish({true, {}});
    });
  }

  // Never from inside HookRunner::run(): the caller may not be ready for it.
  void failSoon(std::string message) {
    boost::asio::post(io_, [self = shared_from_this(), message = std::move(message)]() mutable {
      self->finish({false, std::move(message)});
    });
  }

  void cancel() override {
    done_ = nullptr;
    stopWork();
  }

 private:
  void stopWork() {
    limit_.cancel();
    sleep_.cancel();
    if (exec_) exec_->cancel();
    if (http_) http_->cancel();
  }

  void finish(HookOutcome outcome) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    limit_.cancel();
    sleep_.cancel();
    done(std::move(outcome));
  }

  boost::asio::io_context& io_;
  boost::asio::steady_timer limit_;
  boost::asio::steady_timer sleep_;
  HookCallback done_;
  std::shared_ptr<runtime::ExecHandle> exec_;
  std::shared_ptr<prober::ProbeAttempt> http_;
};

}  // namespace

const char* hookName(HookKind kind) { return kind == HookKind::kPostStart ? "PostStart" : "PreStop"; }

HookRunner::HookRunner(boost::asio::io_context& io)
    : io_(io), pool_(std::make_unique<loop::BlockingPool>(2)) {}

HookRunner::~HookRunner() = default;

std::shared_ptr<HookRun> HookRunner::run(HookKind kind, const model::LifecycleHandler& handler,
                                         const model::Container& container, const HookTarget& target,
                                         std::chrono::milliseconds limit, HookCallback done) {
  auto run = std::make_shared<Run>(io_, std::move(done));
  const std::string where = " for Container \"" + container.name + "\" in Pod \"" + target.pod + "\"";
  const std::string hook = std::string(hookName(kind)) + " hook";
  if (handler.exec) {
    if (!target.exec) {
      run->failSoon("Exec lifecycle hook" + where + " cannot run: the runtime has no exec");
      return run;
    }
    run->armLimit(limit, hook);
    run->startExec(
        target.exec, handler.exec->command, limit,
        "Exec lifecycle hook (" + renderCommand(handler.exec->command) + ")" + where + " failed - error: ");
  } else if (handler.httpGet) {
    const model::HttpGetAction& get = *handler.httpGet;
    const std::string prefix = "HTTP lifecycle hook (" + get.path + ")" + where + " failed - error: ";
    auto port = prober::resolveProbePort(get.port, container);
    if (!port) {
      run->failSoon(prefix + port.error().message);
      return run;
    }
    prober::HttpProbeRequest request;
    request.scheme = get.scheme;
    request.host = get.host.empty() ? target.host : get.host;
    request.port = *port;
    request.path = get.path;
    request.headers = get.httpHeaders;
    request.anyStatusSucceeds = true;
    request.userAgent = prober::kLifecycleUserAgent;
    run->armLimit(limit, hook);
    run->startHttp(*pool_, std::move(request), limit, prefix);
  } else if (handler.sleep) {
    run->armLimit(limit, hook);
    run->startSleep(std::chrono::seconds(handler.sleep->seconds));
  } else {
    // tcpSocket (or nothing): kept by the API for compatibility, never run.
    run->failSoon("Cannot run handler: " + hook + where +
                  (handler.tcpSocket ? " uses tcpSocket, which is not supported as a lifecycle handler"
                                     : " names no handler"));
  }
  return run;
}

}  // namespace daemonlet::lifecycle
