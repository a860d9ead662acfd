#include "agent/prober/probe_tcp.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

namespace daemonlet::prober {
namespace {

using boost::asio::ip::tcp;

class TcpAttempt : public ProbeAttempt, public std::enable_shared_from_this<TcpAttempt> {
 public:
  TcpAttempt(boost::asio::io_context& io, ProbeCallback done)
      : resolver_(io), socket_(io), timer_(io), done_(std::move(done)) {}

  void begin(const std::string& host, std::uint16_t port, ProbeTimeout timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->abort("timed out");
    });
    resolver_.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service,
                            [self = shared_from_this()](const boost::system::error_code& ec,
                                                        const tcp::resolver::results_type& endpoints) {
                              self->onResolved(ec, endpoints);
                            });
  }

  void cancel() override { abort("cancelled"); }

 private:
  void onResolved(const boost::system::error_code& ec, const tcp::resolver::results_type& endpoints) {
    if (aborted_ || !done_) return;
    if (ec) return finish({false, "cannot resolve host: " + ec.message()});
    boost::asio::async_connect(
        socket_, endpoints,
        [self = shared_from_this()](const boost::system::error_code& connectEc, const tcp::endpoint&) {
          self->onConnected(connectEc);
        });
  }

  void onConnected(const boost::system::error_code& ec) {
    if (aborted_ || !done_) return;
    boost::system::error_code ignored;
    socket_.close(ignored);
    if (ec) return finish({false, "connect failed: " + ec.message()});
    finish({true, {}});
  }

  // Timeout or cancel: stop the socket work and report from a posted handler,
  // never from inside cancel(); the aborted operations find aborted_ set.
  void abort(const std::string& why) {
    if (aborted_ || !done_) return;
    aborted_ = true;
    resolver_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    boost::asio::post(socket_.get_executor(), [self = shared_from_this(), why] {
      self->finish({false, why});
    });
  }

  void finish(ProbeOutcome outcome) {
    if (!done_) return;
    timer_.cancel();
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(outcome));
  }

  tcp::resolver resolver_;
  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  ProbeCallback done_;
  bool aborted_ = false;
};

}  // namespace

std::shared_ptr<ProbeAttempt> startTcpAttempt(boost::asio::io_context& io, const std::string& host,
                                              std::uint16_t port, ProbeTimeout timeout, ProbeCallback done) {
  auto attempt = std::make_shared<TcpAttempt>(io, std::move(done));
  attempt->begin(host, port, timeout);
  return attempt;
}

}  // namespace daemonlet::prober
