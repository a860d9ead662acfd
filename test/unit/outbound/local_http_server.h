#pragma once
// Test support: a real cpp-httplib server (plain or TLS) on 127.0.0.1, port 0,
// running on its own thread for the life of the object. Also used by
// test/unit/sources.
#include <httplib.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace daemonlet::testing {

class LocalHttpServer {
 public:
  // Plain HTTP.
  LocalHttpServer() : server_(std::make_unique<httplib::Server>()) {}
  // HTTPS; with `clientCaFile` the server requires a client certificate.
  LocalHttpServer(const std::string& certFile, const std::string& keyFile,
                  const std::string& clientCaFile = "")
      : server_(std::make_unique<httplib::SSLServer>(certFile.c_str(), keyFile.c_str(),
                                                     clientCaFile.empty() ? nullptr : clientCaFile.c_str())),
        tls_(true) {}
  ~LocalHttpServer() { stop(); }

  httplib::Server& routes() { return *server_; }

  // Binds to 127.0.0.1 on a free port and serves on a thread.
  void start() {
    if (!server_->is_valid()) throw std::runtime_error("httplib server is not valid (certificate files?)");
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  void stop() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  // Base URL on 127.0.0.1 or, with `host`, on another name for the same socket.
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return std::string(tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_) + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  bool tls_ = false;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace daemonlet::testing
