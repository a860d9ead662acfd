#include "agent/outbound/curl_transfer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "agent/outbound/curl_failure.h"
#include "agent/outbound/curl_library.h"

namespace daemonlet::outbound::detail {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// What the callbacks see while one hop runs.
struct HopContext {
  const StreamHandlers* stream = nullptr;
  std::size_t maxBodyBytes = 0;
  HopResult* result = nullptr;
  bool redirecting = false;  // 3xx with Location: the body is thrown away
  bool headersDelivered = false;
  bool tooLarge = false;
  bool stoppedByCaller = false;
  SteadyTime lastByte{};
};

std::string trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

size_t onHeaderLine(char* data, size_t size, size_t count, void* user) {
  auto* context = static_cast<HopContext*>(user);
  std::string_view line(data, size * count);
  context->lastByte = std::chrono::steady_clock::now();
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 1xx or on a new hop) starts a fresh header set.
    context->result->headers.clear();
    auto space = line.find(' ');
    context->result->status =
        space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    context->redirecting = false;
    return line.size();
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  context->result->headers[name] = trim(line.substr(colon + 1));
  long status = context->result->status;
  if (name == "location" &&
      (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)) {
    context->redirecting = true;
  }
  return line.size();
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* context = static_cast<HopContext*>(user);
  const size_t length = size * count;
  context->lastByte = std::chrono::steady_clock::now();
  if (context->redirecting) return length;
  if (context->stream) {
    if (!context->headersDelivered) {
      context->headersDelivered = true;
      context->stream->onHeaders(context->result->status);
    }
    if (!context->stream->onData(std::string_view(data, length))) {
      context->stoppedByCaller = true;
      return 0;  // curl ends the transfer with CURLE_WRITE_ERROR
    }
    return length;
  }
  if (context->result->body.size() + length > context->maxBodyBytes) {
    context->tooLarge = true;
    return 0;
  }
  context->result->body.append(data, length);
  return length;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { loadedCurl().easyCleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { loadedCurl().multiCleanup(multi); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { loadedCurl().slistFreeAll(list); }
};

void configure(CURL* easy, void* share, const Hop& hop, const HopSettings& hopSettings, curl_slist* headers,
               HopContext* context, char* errorBuffer) {
  const CurlLibrary& curl = loadedCurl();
  const ClientSettings& settings = *hopSettings.settings;
  curl.easySetopt(easy, CURLOPT_SHARE, static_cast<CURLSH*>(share));
  curl.easySetopt(easy, CURLOPT_URL, hop.url.c_str());
  curl.easySetopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl.easySetopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
  curl.easySetopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  // Redirects are followed by HttpClient itself, hop by hop, so it can decide
  // per target whether credentials may go along.
  curl.easySetopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easySetopt(easy, CURLOPT_USERAGENT, settings.userAgent.c_str());
  curl.easySetopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
  curl.easySetopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connectTimeout.count()));
  curl.easySetopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(hopSettings.timeout.count()));
  curl.easySetopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl.easySetopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings.tls.caFile.empty()) curl.easySetopt(easy, CURLOPT_CAINFO, settings.tls.caFile.c_str());
  // The pin applies to every hop: a pinned endpoint must not hand the node's
  // desired set over to a server the pin does not cover.
  if (!settings.tls.pinnedPublicKey.empty()) {
    curl.easySetopt(easy, CURLOPT_PINNEDPUBLICKEY, settings.tls.pinnedPublicKey.c_str());
  }
  if (hopSettings.withCredentials && !settings.tls.certFile.empty()) {
    curl.easySetopt(easy, CURLOPT_SSLCERT, settings.tls.certFile.c_str());
    if (!settings.tls.keyFile.empty()) curl.easySetopt(easy, CURLOPT_SSLKEY, settings.tls.keyFile.c_str());
  }
  curl.easySetopt(easy, CURLOPT_HTTPHEADER, headers);
  curl.easySetopt(easy, CURLOPT_HEADERFUNCTION, onHeaderLine);
  curl.easySetopt(easy, CURLOPT_HEADERDATA, context);
  curl.easySetopt(easy, CURLOPT_WRITEFUNCTION, onBody);
  curl.easySetopt(easy, CURLOPT_WRITEDATA, context);

  if (hop.method == "GET") {
    curl.easySetopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (hop.method == "HEAD") {
    curl.easySetopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl.easySetopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(hop.body.size()));
    curl.easySetopt(easy, CURLOPT_POSTFIELDS, hop.body.data());
    curl.easySetopt(easy, CURLOPT_CUSTOMREQUEST, hop.method.c_str());
  }
}

static_assert(CURL_LOCK_DATA_LAST <= ConnectionPool::kLockKinds);

void lockShared(CURL*, curl_lock_data data, curl_lock_access, void* pool) {
  static_cast<ConnectionPool*>(pool)->lockFor(static_cast<std::size_t>(data)).lock();
}

void unlockShared(CURL*, curl_lock_data data, void* pool) {
  static_cast<ConnectionPool*>(pool)->lockFor(static_cast<std::size_t>(data)).unlock();
}

}  // namespace

struct ConnectionPool::Channel {
  std::unique_ptr<CURL, EasyDeleter> easy;
  std::unique_ptr<CURLM, MultiDeleter> multi;  // declared last: cleaned up first, closing its connections
};

void ConnectionPool::ChannelDeleter::operator()(Channel* channel) const { delete channel; }

ConnectionPool::ConnectionPool() {
  const CurlLibrary& curl = loadedCurl();
  CURLSH* share = curl.shareInit();
  if (!share) return;  // channels then work without shared TLS sessions
  curl.shareSetopt(share, CURLSHOPT_LOCKFUNC, lockShared);
  curl.shareSetopt(share, CURLSHOPT_UNLOCKFUNC, unlockShared);
  curl.shareSetopt(share, CURLSHOPT_USERDATA, this);
  curl.shareSetopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl.shareSetopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  share_ = share;
}

ConnectionPool::~ConnectionPool() {
  idle_.clear();  // every easy handle detaches from the share before it goes
  if (share_) loadedCurl().shareCleanup(static_cast<CURLSH*>(share_));
}

ConnectionPool::ChannelPtr ConnectionPool::acquire() {
  {
    std::lock_guard lock(idleMutex_);
    if (!idle_.empty()) {
      ChannelPtr channel = std::move(idle_.back());
      idle_.pop_back();
      return channel;
    }
  }
  const CurlLibrary& curl = loadedCurl();
  ChannelPtr channel(new Channel{});
  channel->easy.reset(curl.easyInit());
  channel->multi.reset(curl.multiInit());
  if (!channel->easy || !channel->multi) return nullptr;
  curl.multiSetopt(channel->multi.get(), CURLMOPT_MAXCONNECTS, 4L);
  return channel;
}

void ConnectionPool::release(ChannelPtr channel) {
  if (!channel) return;
  // Forget the last hop's options (they point at its buffers); the connection
  // cache lives in the multi handle and survives.
  loadedCurl().easyReset(channel->easy.get());
  std::lock_guard lock(idleMutex_);
  if (idle_.size() < kMaxIdleChannels) idle_.push_back(std::move(channel));
}

void ActiveTransfers::add(void* multi) {
  std::lock_guard lock(mutex_);
  multis_.insert(multi);
}

void ActiveTransfers::remove(void* multi) {
  std::lock_guard lock(mutex_);
  multis_.erase(multi);
}

void ActiveTransfers::wakeAll() {
  // Under the lock: a multi handle is removed (under the same lock) before it is
  // cleaned up, so wakeup never touches a freed handle.
  std::lock_guard lock(mutex_);
  for (void* multi : multis_) loadedCurl().multiWakeup(static_cast<CURLM*>(multi));
}

HopResult runHop(const Hop& hop, const HopSettings& hopSettings, const StreamHandlers* stream,
                 const std::atomic<bool>& cancelled, ActiveTransfers& active, ConnectionPool& pool) {
  const CurlLibrary& curl = loadedCurl();  // HttpClient checked curlLibrary() before the first hop
  HopResult result;
  HopContext context;
  context.stream = stream;
  context.maxBodyBytes = hopSettings.settings->maxBodyBytes;
  context.result = &result;
  context.lastByte = std::chrono::steady_clock::now();

  std::unique_ptr<curl_slist, ListDeleter> headers;
  {
    curl_slist* list = curl.slistAppend(nullptr, "Expect:");  // no 100-continue round trip on PUT
    for (const auto& line : hopSettings.headers) list = curl.slistAppend(list, line.c_str());
    headers.reset(list);
  }
  char errorBuffer[CURL_ERROR_SIZE] = {0};
  ConnectionPool::ChannelPtr channel = pool.acquire();
  if (!channel) {
    result.failure = Failure{FailureKind::kProtocol, "cannot create a curl handle"};
    return result;
  }
  CURL* easy = channel->easy.get();
  CURLM* multi = channel->multi.get();
  configure(easy, pool.share(), hop, hopSettings, headers.get(), &context, errorBuffer);
  curl.multiAddHandle(multi, easy);
  active.add(multi);

  enum class Abort { kNone, kCancelled, kStalled } abort = Abort::kNone;
  CURLcode code = CURLE_OK;
  const auto stallTimeout = hopSettings.settings->stallTimeout;
  while (true) {
    if (cancelled) {
      abort = Abort::kCancelled;
      break;
    }
    int running = 0;
    CURLMcode multiCode = curl.multiPerform(multi, &running);
    if (multiCode != CURLM_OK) {
      code = CURLE_RECV_ERROR;
      break;
    }
    if (running == 0) {
      int left = 0;
      CURLMsg* message = curl.multiInfoRead(multi, &left);
      code = message && message->msg == CURLMSG_DONE ? message->data.result : CURLE_RECV_ERROR;
      break;
    }
    int waitMs = 1000;
    if (stream) {
      auto idle = std::chrono::steady_clock::now() - context.lastByte;
      if (idle >= stallTimeout) {
        abort = Abort::kStalled;
        break;
      }
      auto untilStall =
          std::chrono::duration_cast<std::chrono::milliseconds>(stallTimeout - idle).count() + 1;
      waitMs = static_cast<int>(std::min<long long>(waitMs, untilStall));
    }
    curl.multiPoll(multi, nullptr, 0, waitMs, nullptr);
  }
  active.remove(multi);

  long status = 0;
  curl.easyGetinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (status != 0) result.status = status;
  curl_off_t downloaded = 0;
  long headerBytes = 0;
  curl.easyGetinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
  curl.easyGetinfo(easy, CURLINFO_HEADER_SIZE, &headerBytes);
  result.bytesOnWire = static_cast<std::size_t>(downloaded) + static_cast<std::size_t>(headerBytes);
  char* redirect = nullptr;
  if (curl.easyGetinfo(easy, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect) {
    result.redirectUrl = redirect;
  }
  curl.multiRemoveHandle(multi, easy);  // an unfinished transfer's connection is closed here
  pool.release(std::move(channel));

  auto detail = [&](CURLcode failed) {
    return errorBuffer[0] ? std::string(errorBuffer) : std::string(curl.easyStrerror(failed));
  };
  if (abort == Abort::kCancelled) {
    result.failure = Failure{FailureKind::kCancelled, "cancelled"};
  } else if (abort == Abort::kStalled) {
    result.failure =
        Failure{FailureKind::kTimeout, "no data for " + std::to_string(stallTimeout.count()) + " ms"};
  } else if (code == CURLE_WRITE_ERROR && context.tooLarge) {
    result.failure = Failure{FailureKind::kTooLarge,
                             "body larger than " + std::to_string(context.maxBodyBytes) + " bytes"};
  } else if (code == CURLE_WRITE_ERROR && context.stoppedByCaller) {
    // The stream's consumer asked to stop: a normal end.
  } else if (code != CURLE_OK) {
    result.failure = Failure{failureKindFor(code), detail(code)};
  }
  if (stream && !result.failure && !context.headersDelivered && !context.redirecting && result.status != 0) {
    stream->onHeaders(result.status);  // a response without a body still reports its status
  }
  if (context.redirecting)
    result.body.clear();
  else
    result.redirectUrl.clear();
  return result;
}

}  // namespace daemonlet::outbound::detail
