// endpoint_bench: figures for the central endpoint (bench/README.md, "Endpoint").
//   1. manifest change on the server -> daemon running on the node: HTTP poll mode
//      against a real nginx (HTTPS, bearer token), and Kubernetes watch mode against
//      fake-kube-apiserver; for a DaemonSet added and for a template changed (rolled);
//   2. the cost of an unchanged poll, from nginx's access log;
//   3. one nginx answering many simulated agents' conditional polls (wrk).
// Prints figures, asserts nothing. Every process it starts is killed at the end.
//
//   endpoint_bench --daemonlet BIN --stamp-daemon BIN [--fake-kube-apiserver BIN]
//                  [--rounds N] [--wrk-seconds S] [--connections N,N...]
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>
#include <regex>

#include <nlohmann/json.hpp>

#include "bench/bench_agent.h"
#include "test/integration/support/nginx_server.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::bench {
namespace {

using Json = nlohmann::json;
using testing::NginxServer;

struct Options {
  std::string daemonlet, stampDaemon, fakeKube;
  int rounds = 10;
  int wrkSeconds = 10;
  std::vector<int> connections = {100, 500};
};

struct Stats {
  double median = 0, p90 = 0, max = 0;
};
Stats statsOf(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * (v.size() - 1) + 0.5))]; };
  return {at(0.5), at(0.9), v.back()};
}

// A DaemonSet running the stamp daemon, which appends "<pid> <monotonic ns>" to
// `stampFile` as the first thing it does.
Json stampDaemonSet(const Options& o, const std::string& name, const fs::path& stampFile, const std::string& marker) {
  Json container = {{"name", "stamp"},
                    {"image", "host"},
                    {"command", {o.stampDaemon, stampFile.string()}},
                    {"env", {{{"name", "BENCH_MARKER"}, {"value", marker}}}}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "DaemonSet"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec",
               {{"runtimeClassName", "host"},
                {"terminationGracePeriodSeconds", 1},
                {"containers", Json::array({container})}}}}}}}};
}

// ms from `changedAtNs` to the stamp in `stampFile` (-1 on timeout).
double waitStampMs(const fs::path& stampFile, std::int64_t changedAtNs, std::chrono::milliseconds timeout = 20s) {
  std::int64_t stampNs = 0;
  if (!waitFor(
          [&] {
            std::istringstream line(slurp(stampFile));
            long long pid = 0, ns = 0;
            if (!(line >> pid >> ns)) return false;
            stampNs = ns;
            return true;
          },
          timeout, 1ms)) {
    return -1;
  }
  return static_cast<double>(stampNs - changedAtNs) / 1e6;
}

// Adds DaemonSets one by one, then changes one template round by round; `apply`
// publishes a DaemonSet (the whole list in poll mode, one object in watch mode).
// Between rounds it sleeps a random part of `interval`, so the changes land at
// every phase of the poll timer.
void latencyRounds(const Options& o, const std::string& mode, const fs::path& stamps, const std::string& marker,
                   std::chrono::milliseconds interval, const std::function<void(const Json&)>& apply) {
  std::mt19937 random(42);
  std::vector<double> added, rolled;
  for (int i = 0; i < o.rounds; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % (interval.count() + 1)));
    const fs::path stamp = stamps / (mode + "-add-" + std::to_string(i));
    const std::int64_t t0 = monotonicNs();
    apply(stampDaemonSet(o, "add-" + std::to_string(i), stamp, marker));
    added.push_back(waitStampMs(stamp, t0));
  }
  for (int i = 0; i < o.rounds; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % (interval.count() + 1)));
    const fs::path stamp = stamps / (mode + "-roll-" + std::to_string(i));
    const std::int64_t t0 = monotonicNs();
    apply(stampDaemonSet(o, "roll", stamp, marker));
    rolled.push_back(waitStampMs(stamp, t0));
  }
  for (auto [what, values] : {std::pair{"added", added}, std::pair{"template changed", rolled}}) {
    const int failed = static_cast<int>(std::count(values.begin(), values.end(), -1.0));
    values.erase(std::remove(values.begin(), values.end(), -1.0), values.end());
    Stats s = statsOf(values);
    std::printf("  %-10s %-17s change -> daemon running: median %7.1f ms  p90 %7.1f ms  max %7.1f ms  (%zu rounds%s)\n",
                mode.c_str(), what, s.median, s.p90, s.max, values.size(),
                failed ? (", " + std::to_string(failed) + " timed out").c_str() : "");
  }
}

const char* kAgentConfig = "endpoint:\n  pollJitter: 0\n  backoff:\n    initial: 100ms\n    max: 1s\n";

void pollSection(const Options& o, NginxServer& nginx, const fs::path& work, std::chrono::milliseconds interval) {
  const std::string mode = "poll" + std::to_string(interval.count()) + "ms";
  BenchAgent agent(o.daemonlet, work / ("agent-" + mode));
  const fs::path stamps = work / "stamps";
  std::vector<Json> items = {stampDaemonSet(o, "warm", stamps / (mode + "-warm"), agent.markerValue())};
  auto publish = [&] { nginx.publish("daemonsets.json", Json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}}.dump()); };
  publish();
  const std::int64_t t0 = monotonicNs();
  if (!agent.start(kAgentConfig, {"--endpoint", nginx.httpsUrl("/auth/daemonsets.json"), "--endpoint-ca-file",
                                  nginx.caFile().string(), "--endpoint-token-file", nginx.tokenFile().string(),
                                  "--endpoint-poll-interval", std::to_string(interval.count()) + "ms"}) ||
      waitStampMs(stamps / (mode + "-warm"), t0) < 0) {
    std::printf("  poll: the agent did not start or sync: %s\n", agent.logTail().c_str());
    return;
  }
  std::printf("  poll interval %lld ms (HTTPS, bearer token, jitter 0):\n", static_cast<long long>(interval.count()));
  latencyRounds(o, mode, stamps, agent.markerValue(), interval, [&](const Json& ds) {
    auto same = std::find_if(items.begin(), items.end(), [&](const Json& d) { return d["metadata"]["name"] == ds["metadata"]["name"]; });
    if (same != items.end()) *same = ds; else items.push_back(ds);
    publish();
  });

  // What an unchanged poll costs, with the list as it is now (rounds+2 DaemonSets).
  std::this_thread::sleep_for(1s);
  nginx.clearAccessLog();
  std::this_thread::sleep_for(5s);
  auto log = nginx.accessLog();
  std::int64_t sent = 0, received = 0, notModified = 0, newConnections = 0, resumed = 0;
  for (const auto& e : log) {
    sent += e.bytesSent;
    received += e.requestLength;
    notModified += e.status == 304;
    if (e.connectionRequests == 1) ++newConnections, resumed += e.tlsSessionReused;
  }
  const double n = std::max<double>(1, static_cast<double>(log.size()));
  std::printf("  unchanged polls over 5 s: %zu requests, %lld answered 304; per poll: response %.0f B, request %.0f B "
              "(HTTP bytes; TLS records add ~30-60 B each way); new connections %lld (TLS resumed %lld)\n",
              log.size(), static_cast<long long>(notModified), static_cast<double>(sent) / n,
              static_cast<double>(received) / n, static_cast<long long>(newConnections), static_cast<long long>(resumed));
  const std::string body = slurp(nginx.docroot() / "daemonsets.json");
  std::printf("  for comparison, the full list (%zu DaemonSets) is %zu bytes uncompressed\n", items.size(), body.size());
}

void watchSection(const Options& o, const fs::path& work) {
  if (o.fakeKube.empty() || !fs::exists(o.fakeKube)) {
    std::printf("  watch: skipped (no fake-kube-apiserver executable given)\n");
    return;
  }
  const fs::path portFile = work / "kube-port";
  pid_t server = fork();
  if (server == 0) {
    int fd = open((work / "kube.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(o.fakeKube.c_str(), o.fakeKube.c_str(), "--host", "127.0.0.1", "--port", "0", "--port-file",
          portFile.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() { ::kill(pid, SIGTERM), ::waitpid(pid, nullptr, 0); }
  } reaper{server};
  if (!waitFor([&] { return std::atoi(slurp(portFile).c_str()) > 0; }, 10s, 10ms)) {
    std::printf("  watch: fake-kube-apiserver did not start\n");
    return;
  }
  const int port = std::atoi(slurp(portFile).c_str());
  httplib::Client control("127.0.0.1", port);
  BenchAgent agent(o.daemonlet, work / "agent-watch");
  const fs::path stamps = work / "stamps";
  auto apply = [&](const Json& ds) { control.Post("/__control/daemonsets", ds.dump(), "application/json"); };
  apply(stampDaemonSet(o, "warm", stamps / "watch-warm", agent.markerValue()));
  const std::int64_t t0 = monotonicNs();
  if (!agent.start(kAgentConfig, {"--endpoint", "http://127.0.0.1:" + std::to_string(port), "--endpoint-mode",
                                  "kubernetes"}) ||
      waitStampMs(stamps / "watch-warm", t0) < 0) {
    std::printf("  watch: the agent did not start or sync: %s\n", agent.logTail().c_str());
    return;
  }
  std::printf("  Kubernetes API mode (list + watch on fake-kube-apiserver, plain HTTP):\n");
  latencyRounds(o, "watch", stamps, agent.markerValue(), 200ms, apply);
}

// wrk against the list: every connection is one simulated agent polling as fast as
// it can; an agent that polls every 30 s costs 1/30 of a request per second.
void manyAgentsSection(const Options& o, NginxServer& nginx) {
  if (!fs::exists("/usr/bin/wrk")) {
    std::printf("  many agents: skipped (wrk not installed: packaging/install-test-deps.sh)\n");
    return;
  }
  std::vector<Json> items;
  for (int i = 0; i < 50; ++i) items.push_back(stampDaemonSet(o, "ds-" + std::to_string(i), "/nonexistent", "x"));
  nginx.publish("fleet.json", Json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}}.dump());
  const std::string url = nginx.httpsUrl("/auth/fleet.json");
  testing::CommandResult head = testing::runCommand({"/usr/bin/curl", "-sk", "-o", "/dev/null", "-D", "-", "-H",
                                                     "Authorization: Bearer " + nginx.token(), url});
  std::smatch m;
  std::string etag = std::regex_search(head.out, m, std::regex("ETag: (\"[^\"]+\")")) ? m[1].str() : "";
  std::printf("  one nginx (2 workers), list of 50 DaemonSets (%zu bytes), HTTPS + bearer token, wrk %d s per row:\n",
              slurp(nginx.docroot() / "fleet.json").size(), o.wrkSeconds);
  struct Row {
    std::string label;
    std::vector<std::string> headers;
  };
  const std::vector<Row> rows = {
      {"304, kept-alive connection", {"If-None-Match: " + etag}},
      {"304, new TLS connection each", {"If-None-Match: " + etag, "Connection: close"}},
      {"200 gzip, kept-alive connection", {"Accept-Encoding: gzip"}},
  };
  for (int connections : o.connections) {
    for (const Row& row : rows) {
      if (row.label.find("new TLS") != std::string::npos && connections > 100) continue;  // ephemeral ports
      nginx.clearAccessLog();
      std::vector<std::string> argv = {"/usr/bin/wrk", "-t2", "-c" + std::to_string(connections),
                                       "-d" + std::to_string(o.wrkSeconds) + "s", "--latency",
                                       "-H", "Authorization: Bearer " + nginx.token()};
      for (const auto& h : row.headers) argv.insert(argv.end(), {"-H", h});
      argv.push_back(url);
      testing::CommandResult run = testing::runCommand(argv, {}, std::chrono::seconds(o.wrkSeconds + 60));
      auto grab = [&](const std::string& pattern) {
        return std::regex_search(run.out, m, std::regex(pattern)) ? m[1].str() : std::string("?");
      };
      auto log = nginx.accessLog();
      std::int64_t bytes = 0, expected = 0;
      for (const auto& e : log) bytes += e.bytesSent, expected += (e.status == 304 || e.status == 200);
      std::printf("    %-32s %5d conns: %9s req/s  p50 %8s  p99 %8s  %s%% of %zu answered as expected, %.0f B/response\n",
                  row.label.c_str(), connections, grab("Requests/sec:\\s+([0-9.]+)").c_str(),
                  grab("\\s50%\\s+([0-9.]+\\w+)").c_str(), grab("\\s99%\\s+([0-9.]+\\w+)").c_str(),
                  log.empty() ? "?" : std::to_string(100 * expected / static_cast<std::int64_t>(log.size())).c_str(),
                  log.size(), log.empty() ? 0.0 : static_cast<double>(bytes) / static_cast<double>(log.size()));
    }
  }
}

}  // namespace
}  // namespace daemonlet::bench

int main(int argc, char** argv) {
  using namespace daemonlet::bench;
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--daemonlet") o.daemonlet = value;
    else if (flag == "--stamp-daemon") o.stampDaemon = value;
    else if (flag == "--fake-kube-apiserver") o.fakeKube = value;
    else if (flag == "--rounds") o.rounds = std::stoi(value);
    else if (flag == "--wrk-seconds") o.wrkSeconds = std::stoi(value);
    else if (flag == "--connections") {
      o.connections.clear();
      std::istringstream list(value);
      for (std::string item; std::getline(list, item, ',');) o.connections.push_back(std::stoi(item));
    } else {
      std::cerr << "endpoint_bench: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (o.daemonlet.empty() || o.stampDaemon.empty()) {
    std::cerr << "usage: endpoint_bench --daemonlet BIN --stamp-daemon BIN [--fake-kube-apiserver BIN] [--rounds N]"
                 " [--wrk-seconds S] [--connections N,N]\n";
    return 2;
  }
  // The agent runs the stamp daemon from its own working directory: absolute paths.
  for (std::string* path : {&o.daemonlet, &o.stampDaemon, &o.fakeKube}) {
    if (!path->empty()) *path = fs::absolute(*path).string();
  }
  char pattern[] = "/var/tmp/daemonlet-endpoint-bench-XXXXXX";
  if (!mkdtemp(pattern)) return 1;
  const fs::path work = pattern;
  fs::create_directories(work / "stamps");
  {
    daemonlet::testing::NginxServer::Options nginxOptions;
    nginxOptions.workerProcesses = 2;
    nginxOptions.workerConnections = 8192;
    daemonlet::testing::NginxServer nginx(nginxOptions);
    if (!nginx.start()) {
      std::cerr << "endpoint_bench: nginx: " << nginx.lastError() << "\n";
      return 1;
    }
    std::printf("1. manifest change on the server -> daemon running on the node (%d rounds each)\n", o.rounds);
    for (auto interval : {200ms, 1000ms}) pollSection(o, nginx, work, interval);
    watchSection(o, work);
    std::printf("2./3. many simulated agents' conditional polls against one nginx\n");
    manyAgentsSection(o, nginx);
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  return 0;
}
