#pragma once
// Internal to daemonlet_outbound: one HTTP exchange (one redirect hop) on a
// private curl multi handle, so that cancel() can wake it at once with
// curl_multi_wakeup and stall timeouts are checked with millisecond precision.
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/outbound/http_client.h"

namespace daemonlet::outbound::detail {

struct StreamHandlers {
  const std::function<void(long status)>& onHeaders;
  const std::function<bool(std::string_view chunk)>& onData;
};

struct Hop {
  std::string method;
  std::string url;
  std::string body;
};

struct HopSettings {
  const ClientSettings* settings = nullptr;
  bool withCredentials = false;          // present the client certificate
  std::vector<std::string> headers;      // "Name: value", Authorization included when allowed
  std::chrono::milliseconds timeout{0};  // 0: none (streams use the stall timeout)
};

struct HopResult {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;                            // empty for streams and redirects
  std::string redirectUrl;                     // absolute; set for 3xx with Location
  std::size_t bytesOnWire = 0;
  std::optional<Failure> failure;  // kind + curl's detail (no URL)
};

// The multi handles of transfers in progress, so cancel() can wake them all.
class ActiveTransfers {
 public:
  void add(void* multi);
  void remove(void* multi);
  void wakeAll();

 private:
  std::mutex mutex_;
  std::set<void*> multis_;
};

// Keeps connections (and TLS sessions) alive between one HttpClient's hops. A
// channel is an easy handle with its own multi handle; the multi handle's
// connection cache holds the channel's idle connections, so a hop that takes
// an idle channel reuses its connection. A channel serves one hop at a time
// (curl does not support one connection cache used by concurrent threads);
// concurrent hops get channels of their own. TLS sessions and DNS answers are
// shared by all channels through a share handle, so a new channel still
// resumes TLS. Curl reuses a connection or session only when host, port and
// TLS settings (CA, client certificate and pin paths) match; a pool never
// outlives a change of those files' contents (HttpClient replaces it).
class ConnectionPool {
 public:
  struct Channel;
  struct ChannelDeleter {
    void operator()(Channel* channel) const;
  };
  using ChannelPtr = std::unique_ptr<Channel, ChannelDeleter>;

  ConnectionPool();
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  ChannelPtr acquire();              // an idle channel or a new one; null if curl fails
  void release(ChannelPtr channel);  // back to the idle list (or closed when it is full)
  void* share() const { return share_; }

  static constexpr std::size_t kLockKinds = 16;  // > CURL_LOCK_DATA_LAST, checked in the .cpp
  std::mutex& lockFor(std::size_t kind) { return locks_[kind % kLockKinds]; }  // share callbacks

 private:
  static constexpr std::size_t kMaxIdleChannels = 4;

  std::array<std::mutex, kLockKinds> locks_;  // one per curl_lock_data kind
  void* share_ = nullptr;                     // CURLSH
  std::mutex idleMutex_;
  std::vector<ChannelPtr> idle_;
};

HopResult runHop(const Hop& hop, const HopSettings& hopSettings, const StreamHandlers* stream,
                 const std::atomic<bool>& cancelled, ActiveTransfers& active, ConnectionPool& pool);

}  // namespace daemonlet::outbound::detail
