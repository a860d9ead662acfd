#pragma once
// Outbound HTTP(S) for the endpoint source, the Kubernetes API source and the
// upward reporter: every request the agent makes to the fleet goes through here
// (libcurl). Calls block; run them off the reconciler's thread and post
// results back. A client keeps its connections and TLS sessions alive between
// requests (keep-alive, session resumption); each connection is reused only for
// the same scheme, host and port with the same TLS files, and credentials are
// still decided per redirect hop.
//
// Security rules every caller gets without asking:
// - TLS peer and host verification are always on; `tls.caFile` replaces the
//   system CA bundle, `tls.pinnedPublicKey` ("sha256//<base64>[;sha256//...]")
//   adds public-key pinning, `tls.certFile`/`keyFile` present a client
//   certificate (mTLS).
// - The bearer token is read from `bearerTokenFile` and re-read whenever the
//   file changes (rotation by kubelet-style projected tokens or by hand).
// - Redirects are followed (at most 5), but credentials (the bearer token and
//   the client certificate's use as auth header) never go to a host other than
//   the one in the request URL.
// - Plain http is allowed; the caller warns once.
// - Bodies above `maxBodyBytes` abort the transfer (kTooLarge); gzip and deflate
//   responses are accepted and decoded (Accept-Encoding is sent).
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"

namespace daemonlet::outbound {

struct TlsSettings {
  std::string caFile;           // PEM bundle; empty: the system's CA store
  std::string certFile;         // client certificate (PEM), with keyFile
  std::string keyFile;
  std::string pinnedPublicKey;  // curl's CURLOPT_PINNEDPUBLICKEY form
  bool operator==(const TlsSettings&) const = default;
};

struct ClientSettings {
  TlsSettings tls;
  std::string bearerTokenFile;  // empty: no Authorization header
  std::chrono::milliseconds connectTimeout{5000};
  // Whole request, body included. Streaming requests (watch) use
  // `stallTimeout` instead: no byte for that long ends the stream.
  std::chrono::milliseconds requestTimeout{30000};
  std::chrono::milliseconds stallTimeout{60000};
  std::size_t maxBodyBytes = 16u << 20;
  std::string userAgent = "daemonlet";
  bool operator==(const ClientSettings&) const = default;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;  // sent for PUT/POST
};

// Why a request produced no usable response. Every kind is worth a retry with
// backoff except kConfig (fix the settings) — callers still retry it slowly,
// since the operator may fix a file without restarting the agent.
enum class FailureKind {
  kConfig,      // unreadable token/CA/cert file, malformed URL
  kConnect,     // DNS, refused, unreachable
  kTimeout,     // connect, whole-request or stall timeout
  kTls,         // handshake, verification or pin mismatch
  kTooLarge,    // body above maxBodyBytes
  kTruncated,   // the connection closed before the announced body ended
  kProtocol,    // anything else curl reports
  kCancelled,   // cancel() was called
};
std::string_view failureKindName(FailureKind kind);  // "connect", "timeout", ...

struct Failure {
  FailureKind kind = FailureKind::kProtocol;
  std::string message;  // one line, names the URL
};

struct Response {
  long status = 0;                             // HTTP status code
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;                            // decoded (gunzipped)
  std::string effectiveUrl;                    // after redirects
  std::size_t bytesReceived = 0;               // on the wire, headers included

  std::string header(const std::string& lowerCaseName) const;  // "" when absent
};

// Thread-safe; holds the token cache. One client per destination configuration.
class HttpClient {
 public:
  explicit HttpClient(ClientSettings settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request. A response with any status (including 4xx/5xx) is a
  // value; only transport problems are Failures.
  struct Outcome {
    bool ok() const { return failure.message.empty() && response.status != 0; }
    Response response;
    Failure failure;
  };
  Outcome perform(const Request& request);

  // Streams a response (Kubernetes watch): `onHeaders` gets the status and
  // headers once; `onData` gets body bytes as they arrive (decoded) and returns
  // false to stop. Returns when the stream ends, stalls, fails or is cancelled;
  // the Outcome's response has status and headers but no body.
  Outcome stream(const Request& request, const std::function<void(long status)>& onHeaders,
                 const std::function<bool(std::string_view chunk)>& onData);

  // Makes any transfer in progress (and later ones until resetCancel) end with
  // kCancelled promptly. Any thread; used at shutdown.
  void cancel();
  void resetCancel();

  const ClientSettings& settings() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Replaces "{node}" in a URL template with the percent-encoded node name.
std::string expandUrlTemplate(std::string_view urlTemplate, std::string_view nodeName);

}  // namespace daemonlet::outbound
