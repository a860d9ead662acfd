#include "agent/status/in_memory_server.h"

#include <algorithm>
#include <cstring>

namespace daemonlet::status {
namespace {

// Reads from the request bytes, collects what httplib writes.
class MemoryStream final : public httplib::Stream {
 public:
  MemoryStream(const std::string& input, const Peer& peer, const Peer& local)
      : input_(input), peer_(peer), local_(local) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min(size, input_.size() - position_);
    std::memcpy(ptr, input_.data() + position_, n);
    position_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    output_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_.ip;
    port = peer_.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_.ip;
    port = local_.port;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

  std::string takeOutput() { return std::move(output_); }

 private:
  const std::string& input_;
  size_t position_ = 0;
  std::string output_;
  Peer peer_;
  Peer local_;
};

}  // namespace

std::string InMemoryServer::serve(const std::string& request, const Peer& peer, const Peer& local) {
  MemoryStream stream(request, peer, local);
  bool connectionClosed = false;
  (void)process_request(stream, /*close_connection=*/true, connectionClosed, nullptr);
  return stream.takeOutput();
}

}  // namespace daemonlet::status
