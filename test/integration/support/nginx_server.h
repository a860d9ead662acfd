#pragma once
// A real nginx (Debian's package) for the endpoint tests: the central endpoint the
// agent polls for DaemonSets and PUTs its status reports to. Each instance runs in
// its own temp directory with its own config on free 127.0.0.1 ports, as root or not.
//
// What it serves (every location exists on both the HTTPS and the plain HTTP port):
//   /<file>                 docroot() as static files: ETag, Last-Modified, 304 on
//                           If-None-Match / If-Modified-Since, gzip when asked
//   /auth/<file>            the same files, but 401 unless "Authorization: Bearer <token()>"
//   /mtls/<file>            the same files, but 403 unless the client shows a certificate
//                           signed by caFile() (clientCertFile()/clientKeyFile()), HTTPS only
//   /reports/<path>         WebDAV PUT (and GET, DELETE) into reportsDir(), bearer token
//                           required; full paths are created (PUT /reports/nodes/n1/status
//                           writes reportsDir()/nodes/n1/status). GET /reports/<dir>/ lists
//                           the directory as JSON (nginx autoindex_format json)
//   /open-reports/<path>    the same as /reports/ without the token
//   /fault/<name>/<file>    always the fault <name> (500, slow, hang, truncated, garbage)
//                           for docroot()/<file>, whatever setFault() says
//   /redirect/<path>        302 to the same port on host 127.0.0.1 (same host)
//   /redirect-other-host/<path>  302 to the same port on host "localhost" (another host
//                           name for a client: credentials must not follow)
// setFault() switches "/" and "/auth/" (setReportsFault(): the report locations) to a
// failure at run time by rewriting the config and reloading nginx (SIGHUP); the reload
// is complete when those calls return.
//
// Faults: Error500 = nginx `return 500`; Slow = headers at once, then the file one byte
// every 200 ms; Hang = no answer at all; Truncated = Content-Length of the whole file but
// only its first half, then the connection closes; Garbage = 200 with a well-formed
// response of binary junk (ETag "garbage"). Slow, Hang, Truncated and Garbage come from
// a tiny misbehaving upstream this object runs in the test process (nginx proxies to it).
//
// The access log (accessLog()) has one entry per request, with status, bytes and the
// conditional headers, to count 304s and measure what an unchanged poll costs.
//
// Ownership: the destructor stops nginx (SIGTERM, then SIGKILL of its process group)
// even when a test failed, and removes the temp dir unless DAEMONLET_E2E_KEEP is set.
// nginx also gets SIGTERM when the thread that called start() dies (PR_SET_PDEATHSIG),
// so a crashed test does not leave it behind. Not thread-safe: use it from one thread.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace daemonlet::testing {

class FaultUpstream;

class NginxServer {
 public:
  enum class Fault { None, Error500, Slow, Hang, Truncated, Garbage };

  struct Options {
    std::string token = "fixture-token-7f3a9c";  // the bearer token nginx requires
    int workerProcesses = 1;
    int workerConnections = 1024;  // raise for benchmarks with many connections
    bool gzip = true;              // compress JSON/YAML when the client accepts gzip
  };

  struct AccessLogEntry {
    std::string method;
    std::string uri;  // the request URI, with its query
    std::string host;
    int status = 0;
    std::int64_t bytesSent = 0;       // everything sent to the client, headers included
    std::int64_t bodyBytesSent = 0;   // the response body alone
    std::int64_t requestLength = 0;   // request line, headers and body
    std::string ifNoneMatch;
    std::string ifModifiedSince;
    std::string authorization;
    std::string acceptEncoding;
    std::string contentEncoding;      // "gzip" when the response was compressed
    std::string userAgent;
    bool https = false;
    double requestTimeSeconds = 0;
    std::int64_t connection = 0;          // nginx's connection serial number
    std::int64_t connectionRequests = 0;  // 1 for the first request on a connection
    bool tlsSessionReused = false;        // an abbreviated TLS handshake
  };

  NginxServer();
  explicit NginxServer(Options options);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  // Starts nginx and waits until it answers on both ports. The first start picks the
  // free ports; later starts (after stop()) reuse them. False with lastError() set
  // (the reason and the tail of nginx's error log) when nginx is missing or failed.
  bool start();
  // Fast shutdown (SIGTERM) and wait: nothing listens on the ports afterwards.
  void stop();
  bool running() const;
  // Rewrites the config (the current faults) and reloads nginx; true once the new
  // config serves. start() is not needed again afterwards.
  bool reload();
  bool setFault(Fault fault);         // for "/" and "/auth/"
  bool setReportsFault(Fault fault);  // for "/reports/" and "/open-reports/"
  const std::string& lastError() const { return lastError_; }

  // Full URLs; `path` starts with '/'. HTTPS uses host 127.0.0.1 (in the certificate).
  std::string httpsUrl(const std::string& path) const;
  std::string httpUrl(const std::string& path) const;
  int httpsPort() const { return httpsPort_; }
  int httpPort() const { return httpPort_; }

  // TLS material, generated with the openssl CLI when the object is made.
  std::filesystem::path caFile() const;          // the CA that signed server and client
  std::filesystem::path clientCertFile() const;  // for mTLS (/mtls/)
  std::filesystem::path clientKeyFile() const;
  // "sha256//<base64>" of the server's public key, as curl's CURLOPT_PINNEDPUBLICKEY takes it.
  const std::string& serverPublicKeyPin() const { return publicKeyPin_; }

  const std::string& token() const { return options_.token; }
  std::filesystem::path tokenFile() const;  // token() followed by a newline
  std::filesystem::path docroot() const;
  std::filesystem::path reportsDir() const;
  std::filesystem::path root() const { return root_; }

  // Writes docroot()/relativePath atomically (temp + rename) and makes sure its mtime
  // differs from the previous version's: nginx's ETag is mtime (in seconds) and size,
  // so two writes within one second of the same size would otherwise look unchanged.
  void publish(const std::string& relativePath, const std::string& content);

  std::vector<AccessLogEntry> accessLog() const;
  void clearAccessLog();
  std::filesystem::path accessLogFile() const;
  std::string errorLogTail(std::size_t maxBytes = 4000) const;

 private:
  bool prepare();
  bool writeConfig();
  bool launch();
  bool waitServing(int generation, std::chrono::milliseconds timeout);
  bool oldWorkersRunning() const;
  void killProcessGroup();

  Options options_;
  std::filesystem::path root_;
  std::unique_ptr<FaultUpstream> upstream_;
  int httpPort_ = 0;
  int httpsPort_ = 0;
  int pid_ = -1;
  int generation_ = 0;
  Fault fault_ = Fault::None;
  Fault reportsFault_ = Fault::None;
  std::string publicKeyPin_;
  std::string lastError_;
  bool prepared_ = false;
};

const char* faultName(NginxServer::Fault fault);

}  // namespace daemonlet::testing
