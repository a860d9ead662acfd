#pragma once
// An in-process cpp-httplib server on 127.0.0.1 (port 0) that plays the fleet's
// report endpoint: it records every PUT to /nodes/<node>/status and answers 200,
// or 500 while told to fail, or not at all while told to hang.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace daemonlet::testing {

class RecordingServer {
 public:
  using Clock = std::chrono::steady_clock;
  struct Put {
    std::string path;
    std::string contentType;
    nlohmann::ordered_json body;
    int status = 0;
    Clock::time_point at;
  };

  RecordingServer() {
    server_.Put(R"(/nodes/([^/]+)/status)",
                [this](const httplib::Request& request, httplib::Response& response) {
                  std::unique_lock lock(mutex_);
                  if (hang_) {
                    hanging_ = true;
                    changed_.notify_all();
                    changed_.wait_for(lock, std::chrono::seconds(20), [this] { return !hang_; });
                    hanging_ = false;
                  }
                  Put put;
                  put.path = request.path;
                  put.contentType = request.get_header_value("Content-Type");
                  put.body = nlohmann::ordered_json::parse(request.body, nullptr, false);
                  put.status = (failing_ || failuresLeft_ > 0) ? 500 : 200;
                  if (failuresLeft_ > 0) --failuresLeft_;
                  put.at = Clock::now();
                  puts_.push_back(put);
                  response.status = put.status;
                  response.set_content(put.status == 200 ? "" : "upstream trouble", "text/plain");
                  changed_.notify_all();
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // listen_after_bind starts accepting almost at once; make sure before tests run.
    for (int i = 0; i < 200 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~RecordingServer() {
    {
      std::lock_guard lock(mutex_);
      hang_ = false;
    }
    changed_.notify_all();
    server_.stop();
    thread_.join();
  }

  std::string urlTemplate() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/nodes/{node}/status";
  }

  void failNext(int count) {
    std::lock_guard lock(mutex_);
    failuresLeft_ = count;
  }
  void setFailing(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  void setHang(bool hang) {
    {
      std::lock_guard lock(mutex_);
      hang_ = hang;
    }
    changed_.notify_all();
  }

  std::vector<Put> puts() const {
    std::lock_guard lock(mutex_);
    return puts_;
  }

  // Waits until `done(puts)` holds or `timeout` passes; returns whether it held.
  bool waitFor(const std::function<bool(const std::vector<Put>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(puts_); });
  }
  bool waitHanging(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return hanging_; });
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Put> puts_;
  int failuresLeft_ = 0;
  bool failing_ = false;
  bool hang_ = false;
  bool hanging_ = false;
};

inline int countWithStatus(const std::vector<RecordingServer::Put>& puts, int status) {
  int n = 0;
  for (const auto& put : puts) n += put.status == status ? 1 : 0;
  return n;
}

}  // namespace daemonlet::testing
