#include "agent/outbound/http_client.h"

#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>

#include "agent/outbound/bearer_token.h"
#include "agent/outbound/curl_failure.h"
#include "agent/outbound/curl_library.h"
#include "agent/outbound/curl_transfer.h"

// Proxies: libcurl's default environment handling stays on (http_proxy,
// https_proxy, no_proxy), because operators expect an https_proxy exported in
// the unit's environment to work. TLS to the endpoint is still verified end to
// end through a CONNECT tunnel; the bearer token never goes to the proxy itself.

namespace daemonlet::outbound {
namespace {

constexpr int kMaxRedirects = 5;

bool isRedirectStatus(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// scheme://host:port, lower-cased, with the scheme's default port filled in;
// "" when the URL does not parse (curl then reports it as malformed).
std::string originOf(const std::string& url) {
  const CurlLibrary& curl = loadedCurl();
  CURLU* handle = curl.url();
  std::string origin;
  if (curl.urlSet(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl.urlGet(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl.urlGet(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl.urlGet(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      origin = lowerCase(std::string(scheme) + "://" + host + ":" + port);
    }
    curl.freeString(scheme);
    curl.freeString(host);
    curl.freeString(port);
  }
  curl.urlCleanup(handle);
  return origin;
}

Failure makeFailure(FailureKind kind, const std::string& method, const std::string& url,
                    const std::string& detail) {
  std::string message = method + " " + url + ": " + std::string(failureKindName(kind)) + ": " + detail;
  std::replace(message.begin(), message.end(), '\n', ' ');
  return Failure{kind, message};
}

}  // namespace

struct HttpClient::State {
  explicit State(ClientSettings s) : settings(std::move(s)) {
    if (!settings.bearerTokenFile.empty())
      token = std::make_unique<BearerTokenFile>(settings.bearerTokenFile);
  }

  // Runs one request through its redirects. `stream` is null for perform().
  Outcome run(const Request& request, const detail::StreamHandlers* stream);
  std::shared_ptr<detail::ConnectionPool> currentPool();

  ClientSettings settings;
  std::unique_ptr<BearerTokenFile> token;
  std::atomic<bool> cancelled{false};
  detail::ActiveTransfers active;
  std::mutex poolMutex;
  std::shared_ptr<detail::ConnectionPool> pool;  // hops in flight keep a replaced pool alive
  std::string tlsFilesIdentity;                  // of the files the pool's connections were made with
};

// Curl matches CA, certificate and pin by path when it reuses a connection or
// TLS session, so a file replaced in place (rotated client certificate, new CA
// bundle) would keep the old connections. A change of any file's identity or
// time stamp starts a fresh pool instead.
std::shared_ptr<detail::ConnectionPool> HttpClient::State::currentPool() {
  std::string identity;
  for (const std::string* file : {&settings.tls.caFile, &settings.tls.certFile, &settings.tls.keyFile}) {
    struct stat info {};
    if (file->empty() || ::stat(file->c_str(), &info) != 0) {
      identity += "-;";
      continue;
    }
    identity += std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino) + ":" +
                std::to_string(info.st_size) + ":" + std::to_string(info.st_mtim.tv_sec) + "." +
                std::to_string(info.st_mtim.tv_nsec) + ":" + std::to_string(info.st_ctim.tv_sec) + "." +
                std::to_string(info.st_ctim.tv_nsec) + ";";
  }
  std::lock_guard lock(poolMutex);
  if (!pool || identity != tlsFilesIdentity) {
    pool = std::make_shared<detail::ConnectionPool>();
    tlsFilesIdentity = std::move(identity);
  }
  return pool;
}

// libcurl is loaded (and globally initialised) by the first request, not here:
// a configured but idle client costs no mapped library.
HttpClient::HttpClient(ClientSettings settings) : state_(std::make_unique<State>(std::move(settings))) {}

HttpClient::~HttpClient() = default;

const ClientSettings& HttpClient::settings() const { return state_->settings; }

void HttpClient::cancel() {
  state_->cancelled = true;
  state_->active.wakeAll();
}

void HttpClient::resetCancel() { state_->cancelled = false; }

HttpClient::Outcome HttpClient::perform(const Request& request) { return state_->run(request, nullptr); }

HttpClient::Outcome HttpClient::stream(const Request& request,
                                       const std::function<void(long status)>& onHeaders,
                                       const std::function<bool(std::string_view chunk)>& onData) {
  detail::StreamHandlers handlers{onHeaders, onData};
  return state_->run(request, &handlers);
}

HttpClient::Outcome HttpClient::State::run(const Request& request, const detail::StreamHandlers* stream) {
  Outcome outcome;
  auto fail = [&](FailureKind kind, const std::string& url, const std::string& detail) {
    outcome.failure = makeFailure(kind, request.method, url, detail);
    return outcome;
  };
  if (cancelled) return fail(FailureKind::kCancelled, request.url, "the client was cancelled");
  if (const auto& curl = curlLibrary(); !curl) return fail(FailureKind::kConfig, request.url, curl.error().describe());

  // Local files are checked up front so the error names the file, not a TLS code.
  for (const std::string* file : {&settings.tls.caFile, &settings.tls.certFile, &settings.tls.keyFile}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
      return fail(FailureKind::kConfig, request.url, "cannot read " + *file);
    }
  }
  std::string bearer;
  if (token) {
    auto current = token->current();
    if (!current) return fail(FailureKind::kConfig, request.url, current.error().describe());
    bearer = *current;
  }

  const std::shared_ptr<detail::ConnectionPool> connections = currentPool();
  const std::string requestOrigin = originOf(request.url);
  const auto started = std::chrono::steady_clock::now();
  detail::Hop hop{request.method, request.url, request.body};
  std::size_t bytesOnWire = 0;

  for (int redirects = 0;; ++redirects) {
    // Credentials go only to the origin the caller named: a redirect to another
    // scheme, host or port gets neither the token nor the client certificate.
    const bool sameOrigin = !requestOrigin.empty() && originOf(hop.url) == requestOrigin;
    detail::HopSettings hopSettings;
    hopSettings.settings = &settings;
    hopSettings.withCredentials = sameOrigin;
    for (const auto& [name, value] : request.headers) {
      std::string lower = lowerCase(name);
      if (!sameOrigin && (lower == "authorization" || lower == "cookie")) continue;
      hopSettings.headers.push_back(name + ": " + value);
    }
    if (sameOrigin && !bearer.empty()) hopSettings.headers.push_back("Authorization: Bearer " + bearer);
    if (stream) {
      hopSettings.timeout = std::chrono::milliseconds(0);
    } else {
      auto left = settings.requestTimeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - started);
      if (left <= std::chrono::milliseconds(0)) {
        return fail(FailureKind::kTimeout, hop.url,
                    "request took longer than " + std::to_string(settings.requestTimeout.count()) + " ms");
      }
      hopSettings.timeout = left;
    }

    detail::HopResult result = detail::runHop(hop, hopSettings, stream, cancelled, active, *connections);
    bytesOnWire += result.bytesOnWire;
    outcome.response.bytesReceived = bytesOnWire;
    outcome.response.effectiveUrl = hop.url;
    if (result.failure) {
      outcome.response.status = result.status;
      outcome.response.headers = std::move(result.headers);
      return fail(result.failure->kind, hop.url, result.failure->message);
    }
    if (isRedirectStatus(result.status) && !result.redirectUrl.empty()) {
      if (redirects + 1 > kMaxRedirects) {
        return fail(FailureKind::kProtocol, request.url,
                    "more than " + std::to_string(kMaxRedirects) + " redirects");
      }
      if (lowerCase(hop.url).rfind("https:", 0) == 0 &&
          lowerCase(result.redirectUrl).rfind("https:", 0) != 0) {
        return fail(FailureKind::kProtocol, hop.url,
                    "refusing a redirect from https to " + result.redirectUrl);
      }
      // 303 always, and 301/302 after a POST, continue as GET without a body
      // (what browsers and curl do); 307/308 repeat the request as it was.
      if (result.status == 303 || ((result.status == 301 || result.status == 302) && hop.method == "POST")) {
        hop.method = "GET";
        hop.body.clear();
      }
      hop.url = result.redirectUrl;
      continue;
    }
    if (result.status == 0) return fail(FailureKind::kProtocol, hop.url, "the response has no HTTP status");
    outcome.response.status = result.status;
    outcome.response.headers = std::move(result.headers);
    outcome.response.body = std::move(result.body);
    return outcome;
  }
}

}  // namespace daemonlet::outbound
