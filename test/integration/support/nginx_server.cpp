#include "test/integration/support/nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "test/integration/support/fault_upstream.h"
#include "test/integration/support/nginx_config.h"
#include "test/integration/support/test_certificates.h"
#include "test/support/file_contents.h"
#include "test/support/free_loopback_port.h"

namespace daemonlet::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string nginxBinary() {
  const char* overridden = std::getenv("DAEMONLET_NGINX");
  return overridden && *overridden ? overridden : "/usr/sbin/nginx";
}

int connectLocal(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

// The body of GET `path` on the plain HTTP port ("" when there is no answer).
// GET over TLS with the curl CLI (certificate not checked: this only asks
// which configuration the listener serves). "" on any failure.
std::string httpsGet(int port, const std::string& path) {
  const std::string command = "/usr/bin/curl -sk --max-time 2 https://127.0.0.1:" + std::to_string(port) + path;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buffer[256];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

std::string plainGet(int port, const std::string& path) {
  int fd = connectLocal(port);
  if (fd < 0) return {};
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  std::string response;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[1024];
    ssize_t n;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

bool processRunning(int pid) {
  if (pid <= 0) return false;
  std::string stat = fileContents("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (stat.empty() || close == std::string::npos || close + 2 >= stat.size()) return false;
  return stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

std::string faultToken(NginxServer::Fault fault) {
  switch (fault) {
    case NginxServer::Fault::None: return "";
    case NginxServer::Fault::Error500: return "500";
    default: return faultName(fault);
  }
}

}  // namespace

const char* faultName(NginxServer::Fault fault) {
  switch (fault) {
    case NginxServer::Fault::None: return "none";
    case NginxServer::Fault::Error500: return "500";
    case NginxServer::Fault::Slow: return "slow";
    case NginxServer::Fault::Hang: return "hang";
    case NginxServer::Fault::Truncated: return "truncated";
    case NginxServer::Fault::Garbage: return "garbage";
  }
  return "?";
}

NginxServer::NginxServer() : NginxServer(Options{}) {}

NginxServer::NginxServer(Options options) : options_(std::move(options)) { prepared_ = prepare(); }

NginxServer::~NginxServer() {
  stop();
  upstream_.reset();
  if (!root_.empty() && !std::getenv("DAEMONLET_E2E_KEEP")) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

bool NginxServer::prepare() {
  char pattern[] = "/tmp/daemonlet-nginx-XXXXXX";
  if (!mkdtemp(pattern)) {
    lastError_ = std::string("mkdtemp: ") + std::strerror(errno);
    return false;
  }
  root_ = pattern;
  std::error_code ec;
  for (const char* dir : {"docroot", "reports", "tmp", "tls"}) fs::create_directories(root_ / dir, ec);
  std::ofstream(tokenFile()) << options_.token << "\n";
  TestCertificates certificates;
  if (!generateTestCertificates(root_ / "tls", certificates, lastError_)) return false;
  publicKeyPin_ = certificates.serverPublicKeyPin;
  upstream_ = std::make_unique<FaultUpstream>(docroot());
  if (!upstream_->start(lastError_)) return false;
  if (!fs::exists(nginxBinary())) {
    lastError_ = nginxBinary() + " not found: run packaging/install-test-deps.sh (as root) to install Debian's nginx";
    return false;
  }
  return true;
}

bool NginxServer::writeConfig() {
  NginxConfigInput in;
  in.root = root_;
  in.docroot = docroot();
  in.reportsDir = reportsDir();
  in.httpPort = httpPort_;
  in.httpsPort = httpsPort_;
  in.upstreamPort = upstream_->port();
  in.token = options_.token;
  in.workerProcesses = options_.workerProcesses;
  in.workerConnections = options_.workerConnections;
  in.gzip = options_.gzip;
  in.asRoot = ::geteuid() == 0;
  in.fault = faultToken(fault_);
  in.reportsFault = faultToken(reportsFault_);
  in.generation = generation_;
  const fs::path temp = root_ / "nginx.conf.tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << renderNginxConfig(in);
    if (!out) {
      lastError_ = "cannot write " + temp.string();
      return false;
    }
  }
  std::error_code ec;
  fs::rename(temp, root_ / "nginx.conf", ec);
  if (ec) lastError_ = "rename nginx.conf: " + ec.message();
  return !ec;
}

bool NginxServer::launch() {
  const std::string binary = nginxBinary();
  const std::string prefix = root_.string() + "/";
  const std::string conf = (root_ / "nginx.conf").string();
  const std::string errorLog = (root_ / "error.log").string();
  const std::string output = (root_ / "nginx.out").string();
  std::vector<std::string> argv = {binary, "-p", prefix, "-c", conf, "-e", errorLog};
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    lastError_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid_ == 0) {
    // Own process group: the destructor can kill master and workers together.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) _exit(1);
    int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(raw[0], raw.data());
    _exit(127);
  }
  ::setpgid(pid_, pid_);
  return true;
}

// True while a worker of a previous configuration is still draining (nginx
// retitles it "nginx: worker process is shutting down"). Workers share the
// master's process group.
bool NginxServer::oldWorkersRunning() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string stat = fileContents(entry.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    int parent = 0, group = 0;
    fields >> state >> parent >> group;
    if (group != pid_ || state == "Z") continue;
    const std::string title = fileContents(entry.path() / "cmdline");
    if (title.find("worker process") != std::string::npos && title.find("shutting down") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool NginxServer::waitServing(int generation, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string expected = std::to_string(generation);
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      lastError_ = "nginx exited at start (status " + std::to_string(status) + "): " + errorLogTail(1500) +
                   fileContents(root_ / "nginx.out");
      return false;
    }
    // A new worker answering is not enough: until the old workers have closed
    // their listening sockets they still accept connections with the old config.
    // The TLS listener is checked on its own: right after a reload it was seen
    // to serve the previous configuration for a moment after the plain one
    // already served the new one.
    if (plainGet(httpPort_, "/__fixture/generation") == expected && !oldWorkersRunning() &&
        httpsGet(httpsPort_, "/__fixture/generation") == expected) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      lastError_ = "nginx did not serve config generation " + expected + " in time: " + errorLogTail(1500);
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
}

bool NginxServer::start() {
  if (!prepared_) {
    if (lastError_.empty()) lastError_ = "the fixture could not be prepared";
    return false;
  }
  if (running()) return true;
  if (pid_ > 0) {  // died on its own: reap it before starting a new one
    int status = 0;
    ::waitpid(pid_, &status, WNOHANG);
    pid_ = -1;
  }
  const bool firstStart = httpPort_ == 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (firstStart) {
      httpPort_ = freeLoopbackPort();
      httpsPort_ = freeLoopbackPort();
      while (httpsPort_ == httpPort_) httpsPort_ = freeLoopbackPort();
    }
    ++generation_;
    if (!writeConfig() || !launch()) return false;
    if (waitServing(generation_, 10s)) return true;
    stop();
    // Another process took a port between picking and binding: pick again.
    if (!firstStart || lastError_.find("Address already in use") == std::string::npos) return false;
  }
  return false;
}

void NginxServer::killProcessGroup() {
  if (pid_ > 0) ::kill(-pid_, SIGKILL);
}

void NginxServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // fast shutdown: the master stops its workers, then exits
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      killProcessGroup();
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  killProcessGroup();  // a worker that outlived its master
  pid_ = -1;
}

bool NginxServer::running() const { return processRunning(pid_); }

bool NginxServer::reload() {
  if (!prepared_) return false;
  ++generation_;
  if (!writeConfig()) return false;
  if (!running()) return true;  // applies at the next start()
  ::kill(pid_, SIGHUP);
  return waitServing(generation_, 10s);
}

bool NginxServer::setFault(Fault fault) {
  fault_ = fault;
  return reload();
}

bool NginxServer::setReportsFault(Fault fault) {
  reportsFault_ = fault;
  return reload();
}

std::string NginxServer::httpsUrl(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(httpsPort_) + path;
}

std::string NginxServer::httpUrl(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(httpPort_) + path;
}

fs::path NginxServer::caFile() const { return root_ / "tls" / "ca.crt"; }
fs::path NginxServer::clientCertFile() const { return root_ / "tls" / "client.crt"; }
fs::path NginxServer::clientKeyFile() const { return root_ / "tls" / "client.key"; }
fs::path NginxServer::tokenFile() const { return root_ / "token"; }
fs::path NginxServer::docroot() const { return root_ / "docroot"; }
fs::path NginxServer::reportsDir() const { return root_ / "reports"; }
fs::path NginxServer::accessLogFile() const { return root_ / "access.log"; }

void NginxServer::publish(const std::string& relativePath, const std::string& content) {
  const fs::path target = docroot() / relativePath;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  struct stat old {};
  const bool existed = ::stat(target.c_str(), &old) == 0;
  const fs::path temp = target.parent_path() / ("." + target.filename().string() + ".publishing");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
  }
  std::time_t mtime = std::time(nullptr);
  if (existed && mtime <= old.st_mtime) mtime = old.st_mtime + 1;
  timespec times[2] = {{mtime, 0}, {mtime, 0}};
  ::utimensat(AT_FDCWD, temp.c_str(), times, 0);
  fs::rename(temp, target, ec);
}

std::vector<NginxServer::AccessLogEntry> NginxServer::accessLog() const {
  std::vector<AccessLogEntry> entries;
  std::istringstream lines(fileContents(accessLogFile()));
  std::string line;
  while (std::getline(lines, line)) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    AccessLogEntry e;
    e.method = j.value("method", "");
    e.uri = j.value("uri", "");
    e.host = j.value("host", "");
    e.status = j.value("status", 0);
    e.bytesSent = j.value("bytes_sent", std::int64_t{0});
    e.bodyBytesSent = j.value("body_bytes_sent", std::int64_t{0});
    e.requestLength = j.value("request_length", std::int64_t{0});
    e.ifNoneMatch = j.value("if_none_match", "");
    e.ifModifiedSince = j.value("if_modified_since", "");
    e.authorization = j.value("authorization", "");
    e.acceptEncoding = j.value("accept_encoding", "");
    e.contentEncoding = j.value("content_encoding", "");
    e.userAgent = j.value("user_agent", "");
    e.https = j.value("https", "") == "on";
    e.requestTimeSeconds = j.value("request_time", 0.0);
    e.connection = j.value("connection", std::int64_t{0});
    e.connectionRequests = j.value("connection_requests", std::int64_t{0});
    e.tlsSessionReused = j.value("ssl_session_reused", "") == "r";
    entries.push_back(std::move(e));
  }
  return entries;
}

void NginxServer::clearAccessLog() {
  // nginx appends (O_APPEND), so truncating in place is safe while it runs.
  std::error_code ec;
  if (fs::exists(accessLogFile())) fs::resize_file(accessLogFile(), 0, ec);
}

std::string NginxServer::errorLogTail(std::size_t maxBytes) const {
  std::string log = fileContents(root_ / "error.log");
  return log.size() > maxBytes ? "..." + log.substr(log.size() - maxBytes) : log;
}

}  // namespace daemonlet::testing
