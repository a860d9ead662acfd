// The endpoint and reports sections: defaults, file values, flags, validation.
#include <gtest/gtest.h>

#include "config/agent_config_loader.h"
#include "test/unit/config/config_test_support.h"
#include "test/support/temp_dir.h"

namespace daemonlet::config {
namespace {

using testing::TempDir;

TEST(EndpointConfigTest, DefaultsMeanNoEndpointAndNoReports) {
  const auto config = loadAgentConfig(CommandLineOverrides{}, environment("/work"));
  ASSERT_TRUE(config) << config.error().describe();
  const EndpointConfig& e = config->endpoint;
  EXPECT_FALSE(e.enabled());
  EXPECT_EQ(e.mode, EndpointMode::kHttp);
  EXPECT_EQ(e.pollInterval, std::chrono::seconds(30));
  EXPECT_DOUBLE_EQ(e.pollJitter, 0.1);
  EXPECT_EQ(e.connectTimeout, std::chrono::seconds(5));
  EXPECT_EQ(e.requestTimeout, std::chrono::seconds(30));
  EXPECT_EQ(e.maxBodyBytes(), 16 * 1024 * 1024);
  EXPECT_EQ(e.backoffInitial, std::chrono::seconds(1));
  EXPECT_EQ(e.backoffMax, std::chrono::minutes(5));
  EXPECT_EQ(e.tls, EndpointTls{});
  EXPECT_EQ(e.bearerTokenFile, "");
  EXPECT_EQ(e.kubernetes, EndpointKubernetes{});
  EXPECT_FALSE(config->reports.enabled());
  EXPECT_EQ(config->reports.interval, std::chrono::seconds(60));
  EXPECT_EQ(config->reports.debounce, std::chrono::seconds(2));
}

TEST(EndpointConfigTest, FileValuesAndRelativePaths) {
  TempDir dir;
  CommandLineOverrides flags;
  flags.configFile = dir.write("etc/config.yaml", std::string(kHeader) + R"(
endpoint:
  url: https://fleet.example/ds.json
  mode: kubernetes
  pollInterval: 10s
  pollJitter: 0.5
  connectTimeout: 2s
  requestTimeout: 1m
  maxBodySize: 1Mi
  backoff: {initial: 500ms, max: 1m}
  tls: {caFile: pki/ca.pem, certFile: /abs/cert.pem, keyFile: pki/key.pem, pinnedPublicKey: "sha256//AAAA"}
  bearerTokenFile: token
  kubernetes: {namespace: ops, labelSelector: "tier=edge", followNode: true}
reports:
  url: https://fleet.example/nodes/{node}/status
  interval: 30s
  debounce: 0s
)");
  const auto config = loadAgentConfig(flags, environment("/elsewhere"));
  ASSERT_TRUE(config) << config.error().describe();
  const EndpointConfig& e = config->endpoint;
  const std::string etc = (dir.path() / "etc").string();
  EXPECT_EQ(e.url, "https://fleet.example/ds.json");
  EXPECT_EQ(e.mode, EndpointMode::kKubernetes);
  EXPECT_EQ(e.pollInterval, std::chrono::seconds(10));
  EXPECT_DOUBLE_EQ(e.pollJitter, 0.5);
  EXPECT_EQ(e.connectTimeout, std::chrono::seconds(2));
  EXPECT_EQ(e.requestTimeout, std::chrono::minutes(1));
  EXPECT_EQ(e.maxBodyBytes(), 1024 * 1024);
  EXPECT_EQ(e.backoffInitial, std::chrono::milliseconds(500));
  EXPECT_EQ(e.backoffMax, std::chrono::minutes(1));
  EXPECT_EQ(e.tls.caFile, etc + "/pki/ca.pem");
  EXPECT_EQ(e.tls.certFile, "/abs/cert.pem");
  EXPECT_EQ(e.tls.keyFile, etc + "/pki/key.pem");
  EXPECT_EQ(e.tls.pinnedPublicKey, "sha256//AAAA");
  EXPECT_EQ(e.bearerTokenFile, etc + "/token");
  EXPECT_EQ(e.kubernetes, (EndpointKubernetes{"ops", "tier=edge", true}));
  EXPECT_EQ(config->reports.url, "https://fleet.example/nodes/{node}/status");
  EXPECT_EQ(config->reports.interval, std::chrono::seconds(30));
  EXPECT_EQ(config->reports.debounce, std::chrono::seconds(0));
  EXPECT_TRUE(config->warnings.empty());
}

TEST(EndpointConfigTest, FlagsOverrideTheFile) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", std::string(kHeader) +
                                                        "endpoint: {url: https://a.example/x, pollInterval: 1m}\n");
  const auto parsed = parseRunFlags({"--config", file, "--endpoint", "https://b.example/y", "--endpoint-mode=http",
                                     "--endpoint-ca-file", "ca.pem", "--endpoint-token-file=/t/token",
                                     "--endpoint-poll-interval", "5s", "--report-url", "https://r.example/{node}",
                                     "--report-interval=15s"});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto config = loadAgentConfig(*parsed, environment(dir.path() / "cwd"));
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->endpoint.url, "https://b.example/y");
  EXPECT_EQ(config->endpoint.mode, EndpointMode::kHttp);
  EXPECT_EQ(config->endpoint.tls.caFile, (dir.path() / "cwd" / "ca.pem").string());  // flags: from the cwd
  EXPECT_EQ(config->endpoint.bearerTokenFile, "/t/token");
  EXPECT_EQ(config->endpoint.pollInterval, std::chrono::seconds(5));
  EXPECT_EQ(config->reports.url, "https://r.example/{node}");
  EXPECT_EQ(config->reports.interval, std::chrono::seconds(15));
}

TEST(EndpointConfigTest, PlainHttpIsAllowedWithAWarning) {
  const auto parsed = parseRunFlags({"--endpoint", "http://10.0.0.1/ds.yaml", "--report-url", "http://r/{node}"});
  ASSERT_TRUE(parsed);
  const auto config = loadAgentConfig(*parsed, environment("/work"));
  ASSERT_TRUE(config) << config.error().describe();
  ASSERT_EQ(config->warnings.size(), 2u);
  EXPECT_NE(config->warnings[0].find("--endpoint: endpoint.url: plain http: manifests and credentials travel "
                                     "unencrypted"),
            std::string::npos)
      << config->warnings[0];
  EXPECT_NE(config->warnings[1].find("--report-url: reports.url: plain http"), std::string::npos)
      << config->warnings[1];
}

TEST(EndpointConfigTest, InvalidValuesNameFileAndField) {
  const struct {
    std::string body;
    std::string expected;
  } cases[] = {
      {"endpoint: {url: ftp://x/y}\n", "FILE: endpoint.url: Invalid value: \"ftp://x/y\": must be empty"},
      {"endpoint: {url: \"https://\"}\n", "FILE: endpoint.url: Invalid value"},
      {"endpoint: {mode: grpc}\n",
       "FILE: endpoint.mode: Unsupported value: \"grpc\": supported values: \"http\", \"kubernetes\""},
      {"endpoint: {pollInterval: 0s}\n", "FILE: endpoint.pollInterval: Invalid value: \"0s\": must be greater than 0"},
      {"endpoint: {pollInterval: soon}\n", "FILE: endpoint.pollInterval: Invalid value: \"soon\""},
      {"endpoint: {pollJitter: 1.5}\n", "FILE: endpoint.pollJitter: Invalid value: \"1.5\": must be a number from 0 to 1"},
      {"endpoint: {connectTimeout: -1s}\n", "FILE: endpoint.connectTimeout: Invalid value: \"-1s\""},
      {"endpoint: {requestTimeout: 0s}\n", "FILE: endpoint.requestTimeout: Invalid value"},
      {"endpoint: {maxBodySize: 0}\n", "FILE: endpoint.maxBodySize: Invalid value: \"0\": must be positive"},
      {"endpoint: {maxBodySize: lots}\n", "FILE: endpoint.maxBodySize: Invalid value: \"lots\": not a quantity"},
      {"endpoint: {backoff: {initial: 1m, max: 1s}}\n",
       "FILE: endpoint.backoff.max: Invalid value: \"1s\": must not be less than endpoint.backoff.initial (1m0s)"},
      {"endpoint: {tls: {certFile: c.pem}}\n", "FILE: endpoint.tls.keyFile: Required value"},
      {"endpoint: {tls: {keyFile: k.pem}}\n", "FILE: endpoint.tls.certFile: Required value"},
      {"endpoint: {kubernetes: {namespace: Ops}}\n", "FILE: endpoint.kubernetes.namespace: Invalid value: \"Ops\""},
      {"endpoint: {kubernetes: {followNode: true}}\n",
       "FILE: endpoint.kubernetes.followNode: Invalid value: \"true\": needs endpoint.mode: kubernetes"},
      {"endpoint: {kubernetes: {followNode: \"yes\"}}\n",
       "FILE: endpoint.kubernetes.followNode: Invalid type: expected boolean"},
      {"endpoint: {uri: https://x/}\n", "FILE: endpoint.uri: unknown field (known fields here: url, mode"},
      {"reports: {url: \"x.example/{node}\"}\n", "FILE: reports.url: Invalid value: \"x.example/{node}\": must be empty"},
      {"reports: {interval: 0s}\n", "FILE: reports.interval: Invalid value: \"0s\": must be greater than 0"},
      {"reports: {debounce: -1s}\n", "FILE: reports.debounce: Invalid value: \"-1s\": must not be negative"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    TempDir dir;
    CommandLineOverrides flags;
    flags.configFile = dir.write("config.yaml", std::string(kHeader) + c.body);
    const auto config = loadAgentConfig(flags, environment(dir.path()));
    ASSERT_FALSE(config);
    std::string expected = c.expected;
    expected.replace(expected.find("FILE"), 4, *flags.configFile);
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
  }
}

TEST(EndpointConfigTest, BadFlagValueNamesTheFlag) {
  const auto parsed = parseRunFlags({"--endpoint-poll-interval", "0s", "--endpoint-mode", "ftp"});
  ASSERT_TRUE(parsed);
  const auto config = loadAgentConfig(*parsed, environment("/work"));
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("--endpoint-mode: endpoint.mode: Unsupported value: \"ftp\""),
            std::string::npos)
      << config.error().message;
}

TEST(EndpointConfigTest, EndpointAndReportsChangesNeedARestart) {
  AgentConfig running;
  AgentConfig reloaded = running;
  EXPECT_TRUE(fieldsNeedingRestart(running, reloaded).empty());
  reloaded.endpoint.url = "https://x.example/";
  reloaded.reports.interval = std::chrono::seconds(5);
  EXPECT_EQ(fieldsNeedingRestart(running, reloaded), (std::vector<std::string>{"endpoint", "reports"}));
  reloaded = running;
  reloaded.endpoint.maxBodySize = *model::Quantity::parse("16777216");  // same size, other spelling
  EXPECT_TRUE(fieldsNeedingRestart(running, reloaded).empty());
}

TEST(EndpointConfigTest, FlagsAreInTheUsage) {
  const std::string usage = runFlagsUsage();
  for (const char* flag : {"--endpoint URL", "--endpoint-mode", "--endpoint-ca-file", "--endpoint-token-file",
                           "--endpoint-poll-interval", "--report-url", "--report-interval"}) {
    SCOPED_TRACE(flag);
    EXPECT_NE(usage.find(flag), std::string::npos);
  }
}

}  // namespace
}  // namespace daemonlet::config
