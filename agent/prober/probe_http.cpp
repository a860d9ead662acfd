#include "agent/prober/probe_http.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>

#include "agent/prober/probe_blocking.h"
#include "agent/prober/probe_curl.h"

namespace daemonlet::prober {
namespace {

constexpr int kMaxRedirects = 10;
constexpr std::size_t kMaxBodyBytes = 10 * 1024;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Reads the body only up to the limit, then stops the transfer: the status line
// already decided the verdict.
struct BodyBudget {
  std::size_t received = 0;
  bool exhausted = false;
};

std::size_t discardBody(char*, std::size_t size, std::size_t count, void* userdata) {
  auto* budget = static_cast<BodyBudget*>(userdata);
  budget->received += size * count;
  if (budget->received > kMaxBodyBytes) {
    budget->exhausted = true;
    return 0;
  }
  return size * count;
}

struct Response {
  long status = 0;
  std::string redirectUrl;
  std::string error;  // non-empty: no usable response
};

Response getOnce(const std::string& url, const CurlList& headers, const char* userAgent,
                 std::chrono::milliseconds remaining, const std::atomic<bool>& cancelled) {
  const auto& curl = outbound::loadedCurl();
  CurlEasy handle = newProbeHandle(url, remaining, cancelled);
  if (!handle) return {0, {}, "curl_easy_init failed"};
  BodyBudget budget;
  curl.easySetopt(handle.get(), CURLOPT_HTTPHEADER, headers.get());
  curl.easySetopt(handle.get(), CURLOPT_USERAGENT, userAgent);
  curl.easySetopt(handle.get(), CURLOPT_WRITEFUNCTION, &discardBody);
  curl.easySetopt(handle.get(), CURLOPT_WRITEDATA, &budget);
  CURLcode code = curl.easyPerform(handle.get());
  if (code == CURLE_OPERATION_TIMEDOUT) return {0, {}, "timed out"};
  if (code == CURLE_ABORTED_BY_CALLBACK) return {0, {}, "cancelled"};
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && budget.exhausted)) {
    return {0, {}, curl.easyStrerror(code)};
  }
  Response response;
  curl.easyGetinfo(handle.get(), CURLINFO_RESPONSE_CODE, &response.status);
  char* location = nullptr;
  if (curl.easyGetinfo(handle.get(), CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr) {
    response.redirectUrl = location;
  }
  return response;
}

}  // namespace

std::string httpProbeUrl(const HttpProbeRequest& request) {
  std::string scheme = lower(request.scheme.empty() ? std::string("http") : request.scheme);
  if (scheme != "http" && scheme != "https") return {};
  std::string path = request.path;
  if (path.empty() || path.front() != '/') path.insert(0, "/");
  return scheme + "://" + urlHost(request.host) + ":" + std::to_string(request.port) + path;
}

ProbeOutcome runHttpProbe(const HttpProbeRequest& request, ProbeTimeout timeout,
                          const std::atomic<bool>& cancelled) {
  std::string url = httpProbeUrl(request);
  if (url.empty()) return {false, "unsupported scheme " + request.scheme};
  if (const auto& curl = probeCurl(); !curl) return {false, "HTTP probe cannot run: " + curl.error().describe()};

  CurlList headers;
  for (const auto& header : request.headers) {
    // "Name;" is curl's spelling of a header with an empty value ("Name:" would remove it).
    std::string line = header.value.empty() ? header.name + ";" : header.name + ": " + header.value;
    if (!appendCurlHeader(headers, line)) return {false, "out of memory building headers"};
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string originalHost = urlHostName(url);
  for (int redirects = 0;; ++redirects) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) return {false, "timed out"};
    Response response = getOnce(url, headers, request.userAgent, remaining, cancelled);
    if (!response.error.empty()) return {false, response.error};

    bool isRedirect = response.status >= 300 && response.status < 400 && !response.redirectUrl.empty();
    if (isRedirect) {
      if (urlHostName(response.redirectUrl) != originalHost) {
        return {true, "redirect to another host not followed: " + response.redirectUrl};
      }
      if (redirects == kMaxRedirects) return {false, "stopped after 10 redirects"};
      url = response.redirectUrl;
      continue;
    }
    if (request.anyStatusSucceeds || (response.status >= 200 && response.status < 400)) return {true, {}};
    return {false, "HTTP probe failed with status code " + std::to_string(response.status)};
  }
}

std::shared_ptr<ProbeAttempt> startHttpAttempt(boost::asio::io_context& io, loop::BlockingPool& pool,
                                               HttpProbeRequest request, ProbeTimeout timeout,
                                               ProbeCallback done) {
  return startBlockingAttempt(
      io, pool,
      [request = std::move(request), timeout](const std::atomic<bool>& cancelled) {
        return runHttpProbe(request, timeout, cancelled);
      },
      std::move(done));
}

}  // namespace daemonlet::prober
