#pragma once
// End-to-end fixture for the central endpoint: the real `daemonlet run` (see
// ../agent/agent_fixture.h for processes, temp dirs and cleanup) polling a real
// nginx (../support/nginx_server.h) over TLS with a CA and a bearer token.
//
// Lists are published as nginx static files, so ETag, Last-Modified and 304 are
// nginx's own. Short intervals and timeouts keep each test to seconds.
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/nginx_server.h"

namespace daemonlet::e2e {

using testing::NginxServer;

// A Kubernetes List of `items` (what `kubectl get ds -o json` prints).
inline Json listOf(const std::vector<Json>& items) {
  return {{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
}

// Block-style YAML for a JSON value (strings double-quoted, as JSON escapes them,
// which YAML reads the same). Block style matters: half of a block-style stream can
// still be valid YAML, which is what makes a truncated body dangerous.
inline void appendYaml(std::string& out, const Json& value, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (value.is_object() && !value.empty()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      out += pad + Json(it.key()).dump() + ":";
      const Json& v = it.value();
      if ((v.is_object() || v.is_array()) && !v.empty()) {
        out += "\n";
        appendYaml(out, v, indent + 2);
      } else {
        out += " " + v.dump() + "\n";
      }
    }
  } else if (value.is_array() && !value.empty()) {
    for (const Json& v : value) {
      if ((v.is_object() || v.is_array()) && !v.empty()) {
        out += pad + "-\n";
        appendYaml(out, v, indent + 2);
      } else {
        out += pad + "- " + v.dump() + "\n";
      }
    }
  } else {
    out += pad + value.dump() + "\n";
  }
}

// A multi-document YAML stream with every document padded (by a comment) to the
// same length, so that the first half of the stream is exactly the first half of
// the documents: a cleanly truncated, well-formed-looking stream.
inline std::string yamlStream(const std::vector<Json>& items) {
  std::vector<std::string> documents;
  std::size_t longest = 0;
  for (const Json& item : items) {
    std::string doc = "---\n";
    appendYaml(doc, item, 0);
    longest = std::max(longest, doc.size());
    documents.push_back(std::move(doc));
  }
  std::string stream;
  for (std::string& doc : documents) {
    if (doc.size() < longest) {
      const std::size_t fill = longest - doc.size();
      doc += fill >= 3 ? "#" + std::string(fill - 2, '.') + "\n" : std::string(fill, '\n');
    }
    stream += doc;
  }
  return stream;
}

// Bytes and mtime of a file: "untouched" means both are the same.
struct FileStamp {
  std::string bytes;
  std::int64_t mtimeNs = 0;
  bool operator==(const FileStamp&) const = default;
};

class EndpointE2eTest : public AgentE2eTest {
 protected:
  static constexpr const char* kListPath = "/auth/daemonsets.json";

  void SetUp() override {
    AgentE2eTest::SetUp();
    ASSERT_TRUE(nginx_.start()) << nginx_.lastError();
    // Short timeouts and backoff: a fault shows within seconds, recovery too.
    writeConfig(
        "endpoint:\n"
        "  pollJitter: 0\n"
        "  connectTimeout: 1s\n"
        "  requestTimeout: 2s\n"
        "  backoff:\n"
        "    initial: 100ms\n"
        "    max: 500ms\n"
        "reports:\n"
        "  debounce: 100ms\n");
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- nginx error log (tail):\n" << nginx_.errorLogTail(2000) << "\n";
      auto log = nginx_.accessLog();
      std::cerr << "---- nginx access log: " << log.size() << " requests; last ones:\n";
      for (std::size_t i = log.size() > 8 ? log.size() - 8 : 0; i < log.size(); ++i) {
        std::cerr << "  " << log[i].method << " " << log[i].uri << " -> " << log[i].status << "\n";
      }
    }
    AgentE2eTest::TearDown();
  }

  // The endpoint flags: HTTPS with the fixture's CA and token, a 200 ms poll.
  std::vector<std::string> endpointArgs(const std::string& url) const {
    return {"--endpoint", url, "--endpoint-ca-file", nginx_.caFile().string(), "--endpoint-token-file",
            nginx_.tokenFile().string(), "--endpoint-poll-interval", "200ms"};
  }
  std::vector<std::string> endpointArgs() const { return endpointArgs(nginx_.httpsUrl(kListPath)); }

  // startAgent() of the base fixture with `extra` flags after the usual ones.
  void startAgentWith(const std::vector<std::string>& extra) {
    std::vector<std::string> args = agentArgs();
    args.insert(args.end(), extra.begin(), extra.end());
    std::error_code ec;
    fs::remove(root_ / "run" / "listen-address", ec);
    agent_.start(args, root_ / "agent.log", marker_);
    ASSERT_TRUE(waitUntil([&] { return fs::exists(root_ / "run" / "listen-address") || !agent_.running(); }))
        << "the agent never wrote run/listen-address";
    ASSERT_TRUE(agent_.running()) << "the agent exited at start:\n" << readFile(root_ / "agent.log");
    std::string address = readFile(root_ / "run" / "listen-address");
    port_ = std::atoi(address.c_str() + address.rfind(':') + 1);
    ASSERT_GT(port_, 0) << address;
    ASSERT_TRUE(waitUntil([&] {
      auto res = client().Get("/readyz");
      return res && res->status == 200;
    })) << "the agent never became ready";
  }

  void publishList(const std::vector<Json>& items) { nginx_.publish("daemonsets.json", listOf(items).dump(1)); }

  // Everything /status says about the endpoint failing: source errors about the
  // endpoint, and an "endpoint" health object's last error if the status has one.
  std::string endpointErrorText() const {
    Json status = getJson("/status");
    std::string text;
    for (const auto& error : status.value("sourceErrors", Json::array())) {
      const std::string source = error.value("source", "");
      if (source.find("endpoint") != std::string::npos || source.find("127.0.0.1") != std::string::npos) {
        text += source + ": " + error.value("message", "") + "\n";
      }
    }
    for (const char* key : {"endpoint", "sources"}) {
      if (!status.contains(key)) continue;
      const Json& health = status[key];
      if (health.is_object() && health.value("lastError", "") != "") text += health.value("lastError", "") + "\n";
    }
    return text;
  }

  // The DaemonSet's "source" in /status ("" when it is not there).
  std::string sourceOf(const std::string& name) const {
    Json status = getJson("/status");
    for (const auto& ds : status.value("daemonSets", Json::array())) {
      if (ds.value("name", "") == name) return ds.value("source", "");
    }
    return {};
  }

  // The last-known-good cache: files in the state dir whose path names the cache
  // or the endpoint (the agent's own pod records are not part of it).
  std::map<std::string, FileStamp> cacheFiles() const {
    std::map<std::string, FileStamp> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_ / "state", ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (ec || !it->is_regular_file()) continue;
      std::string relative = fs::relative(it->path(), root_ / "state").string();
      std::string lower = relative;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower.find("cache") == std::string::npos && lower.find("endpoint") == std::string::npos) continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) != 0) continue;
      files[relative] = {readFile(it->path()),
                         static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    }
    return files;
  }

  std::string stateListing() const {
    std::string out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_ / "state", ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      out += fs::relative(it->path(), root_ / "state").string() + "\n";
    }
    return out;
  }

  // The pid of the DaemonSet's running daemon, after waiting for it (0: none).
  int runningPid(const std::string& name, std::chrono::milliseconds timeout = 15s) const {
    Json pod = waitRunning(name, timeout);
    return pod.is_null() ? 0 : pidOf(mainStatus(pod));
  }

  // `ds` with a changed pod template (a new revision, so a rolling replacement).
  static Json withTemplateAnnotation(Json ds, const std::string& value) {
    ds["spec"]["template"]["metadata"]["annotations"]["e2e/version"] = value;
    return ds;
  }

  NginxServer nginx_;
};

}  // namespace daemonlet::e2e
