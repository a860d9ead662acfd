// Every way a configuration is refused, and how the message names file and field.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/agent_config_loader.h"
#include "test/unit/config/config_test_support.h"
#include "test/support/temp_dir.h"

namespace daemonlet::config {
namespace {

using testing::TempDir;

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Loads `body` as the config file and returns the error message ("" if it loaded).
std::string fileError(const std::string& body, std::string* fileName = nullptr,
                      const HostFacts& host = HostFacts{"host-1", "x86_64"}) {
  TempDir dir;
  CommandLineOverrides flags;
  flags.configFile = dir.write("config.yaml", body);
  if (fileName != nullptr) *fileName = *flags.configFile;
  const auto config = loadAgentConfig(flags, LoadEnvironment{host, dir.path()});
  return config ? std::string() : config.error().message;
}

TEST(LoaderValidationTest, DocumentIdentity) {
  const struct {
    std::string body;
    std::string expected;
  } cases[] = {
      {"apiVersion: v1\nkind: AgentConfiguration\n",
       R"(FILE: apiVersion: Unsupported value: "v1": supported values: "daemonlet.io/v1alpha1")"},
      {"apiVersion: daemonlet.io/v1alpha1\nkind: KubeletConfiguration\n",
       R"(FILE: kind: Unsupported value: "KubeletConfiguration": supported values: "AgentConfiguration")"},
      {"apiVersion: daemonlet.io/v1alpha1\nkind: 3\n",
       "FILE: kind: Invalid type: expected string, got number"},
      {"kind: AgentConfiguration\n", "FILE: apiVersion: Required value"},
      {"apiVersion: daemonlet.io/v1alpha1\n", "FILE: kind: Required value"},
      {"- a\n- b\n",
       "FILE: expected a mapping with apiVersion: daemonlet.io/v1alpha1 and kind: AgentConfiguration, "
       "got array"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    std::string file;
    const std::string error = fileError(c.body, &file);
    EXPECT_EQ(error, replaceAll(c.expected, "FILE", file));
  }
}

TEST(LoaderValidationTest, ShapeErrorsInTheFile) {
  const struct {
    std::string body;
    std::string expected;
  } cases[] = {
      {"nodeName: x\n",
       "FILE: nodeName: unknown field (known fields here: apiVersion, kind, node, manifestDir"},
      {"node: {lables: {}}\n", "FILE: node.lables: unknown field (known fields here: name, labels, taints)"},
      {"node: {taints: [{key: k, effect: NoSchedule, tolerationSeconds: 5}]}\n",
       "FILE: node.taints[0].tolerationSeconds: unknown field (known fields here: key, value, effect)"},
      {"restartBackoff: {maximum: 1m}\n", "FILE: restartBackoff.maximum: unknown field"},
      {"node: []\n", "FILE: node: Invalid type: expected object, got array"},
      {"node: {labels: {enabled: true}}\n",
       "FILE: node.labels[enabled]: Invalid type: expected string (quote values such as \"true\" or \"1\"), "
       "got boolean"},
      {"node: {labels: [a]}\n", "FILE: node.labels: Invalid type: expected a map of strings, got array"},
      {"node: {taints: {key: a}}\n", "FILE: node.taints: Invalid type: expected list, got object"},
      {"node: {taints: [a]}\n", "FILE: node.taints[0]: Invalid type: expected object, got string"},
      {"node: {taints: [{key: 1, effect: NoSchedule}]}\n",
       "FILE: node.taints[0].key: Invalid type: expected string, got number"},
      {"restartBackoff: {multiplier: \"2\"}\n",
       "FILE: restartBackoff.multiplier: Invalid type: expected number, got string"},
      {"restartBackoff: {initial: 10}\n",
       "FILE: restartBackoff.initial: Invalid type: expected a duration string such as \"10s\", \"5m\" or "
       "\"1h30m\", "
       "got number"},
      {"containerLogs: {maxFiles: 2.5}\n",
       "FILE: containerLogs.maxFiles: Invalid type: expected integer, got number"},
      {"containerLogs: {maxSize: true}\n",
       "FILE: containerLogs.maxSize: Invalid type: expected a quantity such as \"10Mi\", got boolean"},
      {"listen: 10290\n", "FILE: listen: Invalid type: expected string, got number"},
      {"manifestDir: {a: b}\n", "FILE: manifestDir: Invalid type: expected string, got object"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    std::string file;
    const std::string error = fileError(kHeader + c.body, &file);
    EXPECT_TRUE(error.starts_with(replaceAll(c.expected, "FILE", file))) << error;
  }
}

TEST(LoaderValidationTest, ValueErrorsInTheFile) {
  const std::string longName(64, 'a');
  const struct {
    std::string body;
    std::string expected;
  } cases[] = {
      // The example from the issue: the file, the field path, the allowed values.
      {"node:\n  taints:\n  - {key: a, effect: NoSchedule}\n  - {key: b, effect: NoRun}\n",
       R"(FILE: node.taints[1].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute")"},
      {"node: {taints: [{key: a}]}\n", "FILE: node.taints[0].effect: Required value"},
      {"node: {taints: [{effect: NoSchedule}]}\n", "FILE: node.taints[0].key: Required value"},
      {"node: {taints: [{key: 'bad key', effect: NoSchedule}]}\n",
       R"(FILE: node.taints[0].key: Invalid value: "bad key": name part must consist of alphanumeric)"},
      {"node: {taints: [{key: a, value: 'x y', effect: NoSchedule}]}\n",
       R"(FILE: node.taints[0].value: Invalid value: "x y": a valid label must be an empty string or)"},
      {"node: {taints: [{key: a, value: x, effect: NoSchedule}, {key: a, value: y, effect: NoSchedule}]}\n",
       R"(FILE: node.taints[1]: Duplicate value: "a:NoSchedule": taints must be unique by key and effect)"},
      {"node: {labels: {'-bad': x}}\n", R"(FILE: node.labels[-bad]: Invalid value: "-bad": name part must)"},
      {"node: {labels: {example.com/ok: 'not valid!'}}\n",
       R"(FILE: node.labels[example.com/ok]: Invalid value: "not valid!": a valid label must be an empty string)"},
      {"node: {labels: {Bad.Prefix/x: y}}\n",
       R"(FILE: node.labels[Bad.Prefix/x]: Invalid value: "Bad.Prefix/x": prefix part a lowercase RFC 1123)"},
      {"node: {name: Node_1}\n",
       R"(FILE: node.name: Invalid value: "Node_1": a lowercase RFC 1123 subdomain)"},
      {"node: {name: " + longName + "}\n", "FILE: node.name: Invalid value: \"" + longName +
                                               "\": must be no more than 63 characters, since it is also"},
      {"manifestDir: ''\n", "FILE: manifestDir: Required value"},
      {"runDir: ''\n", "FILE: runDir: Required value"},
      {"listen: '10290'\n", R"(FILE: listen: Invalid value: "10290": expected HOST:PORT)"},
      {"listen: ':10290'\n", R"(FILE: listen: Invalid value: ":10290": the host must be given)"},
      {"listen: 'status.example:10290'\n",
       "FILE: listen: Invalid value: \"status.example:10290\": the host must be an IP"},
      {"listen: '::1:10290'\n",
       R"(FILE: listen: Invalid value: "::1:10290": an IPv6 address needs brackets)"},
      {"listen: '[::1]10290'\n", R"(FILE: listen: Invalid value: "[::1]10290": expected [IPv6]:PORT)"},
      {"listen: '[nope]:1'\n", R"(FILE: listen: Invalid value: "[nope]:1": not an IPv6 address)"},
      {"listen: '127.0.0.1:65536'\n",
       R"(FILE: listen: Invalid value: "127.0.0.1:65536": the port must be a number)"},
      {"listen: '127.0.0.1:http'\n",
       R"(FILE: listen: Invalid value: "127.0.0.1:http": the port must be a number)"},
      {"listen: 'unix://'\n",
       R"(FILE: listen: Invalid value: "unix://": a unix socket address needs a path)"},
      {"cri: {endpoint: run/containerd/containerd.sock}\n",
       R"(FILE: cri.endpoint: Invalid value: "run/containerd/containerd.sock": must be unix://)"},
      {"cgroupRoot: daemonlet\n",
       R"(FILE: cgroupRoot: Invalid value: "daemonlet": must be empty (no cgroups) or)"},
      {"cgroupRoot: /a/../b\n", R"(FILE: cgroupRoot: Invalid value: "/a/../b": must be empty)"},
      {"restartBackoff: {initial: 10x}\n",
       R"(FILE: restartBackoff.initial: Invalid value: "10x": unknown unit "x" in duration 10x)"},
      {"restartBackoff: {initial: -1s}\n",
       R"(FILE: restartBackoff.initial: Invalid value: "-1s": must not be negative)"},
      {"restartBackoff: {resetAfter: -5m}\n",
       R"(FILE: restartBackoff.resetAfter: Invalid value: "-5m0s": must not be negative)"},
      {"restartBackoff: {initial: 10m}\n",
       R"(FILE: restartBackoff.max: Invalid value: "5m0s": must not be less than restartBackoff.initial (10m0s))"},
      {"restartBackoff: {multiplier: 0.5}\n",
       R"(FILE: restartBackoff.multiplier: Invalid value: "0.5": must be a finite number of at least 1)"},
      {"restartBackoff: {multiplier: .inf}\n",
       "FILE: restartBackoff.multiplier: Invalid value: \"inf\": must be a finite number"},
      {"containerLogs: {maxSize: 10MB}\n",
       R"(FILE: containerLogs.maxSize: Invalid value: "10MB": not a quantity)"},
      {"containerLogs: {maxSize: '0'}\n",
       R"(FILE: containerLogs.maxSize: Invalid value: "0": must be positive)"},
      {"containerLogs: {maxSize: -1Mi}\n",
       R"(FILE: containerLogs.maxSize: Invalid value: "-1Mi": must be positive)"},
      {"containerLogs: {maxFiles: 1}\n",
       R"(FILE: containerLogs.maxFiles: Invalid value: "1": must be at least 2)"},
      {"containerLogs: {maxFiles: 3000000000}\n",
       R"(FILE: containerLogs.maxFiles: Invalid value: "3000000000": must be at least 2 and fit in 32 bits)"},
      {"resyncPeriod: 500ms\n", R"(FILE: resyncPeriod: Invalid value: "500ms": must be at least 1s)"},
      {"resyncPeriod: soon\n", R"(FILE: resyncPeriod: Invalid value: "soon": invalid duration soon)"},
      {"logLevel: verbose\n",
       R"(FILE: logLevel: Unsupported value: "verbose": supported values: "debug", "info", "warning", "error")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    std::string file;
    const std::string error = fileError(kHeader + c.body, &file);
    EXPECT_TRUE(error.starts_with(replaceAll(c.expected, "FILE", file))) << error;
  }
}

TEST(LoaderValidationTest, ValueErrorsFromFlagsNameTheFlag) {
  const struct {
    std::vector<std::string> args;
    std::string expected;
  } cases[] = {
      {{"--node-taints", "k=v:NoRun"},
       R"(--node-taints: node.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute")"},
      {{"--node-taints", "=v:NoSchedule"}, "--node-taints: node.taints[0].key: Required value"},
      {{"--node-taints", "k=v:"}, "--node-taints: node.taints[0].effect: Required value"},
      {{"--node-labels", "bad key=v"},
       R"(--node-labels: node.labels[bad key]: Invalid value: "bad key": name part)"},
      {{"--node-labels", "=v"},
       R"(--node-labels: node.labels[]: Invalid value: "": name part must be non-empty)"},
      {{"--node-name", "Bad"},
       R"(--node-name: node.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain)"},
      {{"--manifest-dir="}, "--manifest-dir: manifestDir: Required value"},
      {{"--listen", "nowhere"}, R"(--listen: listen: Invalid value: "nowhere": expected HOST:PORT)"},
      {{"--cri-endpoint", "tcp://x:1"}, "--cri-endpoint: cri.endpoint: Invalid"},
      {{"--cgroup-root", "x"}, R"(--cgroup-root: cgroupRoot: Invalid value: "x")"},
      {{"--log-level", "trace"}, R"(--log-level: logLevel: Unsupported value: "trace")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    const auto flags = parseRunFlags(c.args);
    ASSERT_TRUE(flags) << flags.error().describe();
    const auto config = loadAgentConfig(*flags, LoadEnvironment{HostFacts{"host-1", "x86_64"}, "/work"});
    ASSERT_FALSE(config);
    EXPECT_TRUE(config.error().message.starts_with(c.expected)) << config.error().message;
  }
}

TEST(LoaderValidationTest, AFlagFixesAFileValueAndBlameFollowsTheLastSetter) {
  TempDir dir;
  CommandLineOverrides flags;
  flags.configFile =
      dir.write("config.yaml", std::string(kHeader) + "node: {name: Bad_Name}\nlogLevel: loud\n");
  flags.nodeName = "good-name";
  const auto config = loadAgentConfig(flags, LoadEnvironment{HostFacts{"h", "x86_64"}, dir.path()});
  ASSERT_FALSE(config);
  EXPECT_EQ(
      config.error().message,
      *flags.configFile +
          R"(: logLevel: Unsupported value: "loud": supported values: "debug", "info", "warning", "error")");
}

TEST(LoaderValidationTest, InvalidHostnameAsDefaultNodeNameSaysHowToFixIt) {
  const std::string error = fileError(kHeader, nullptr, HostFacts{"My_Laptop", "x86_64"});
  EXPECT_TRUE(error.starts_with(R"(hostname: node.name: Invalid value: "my_laptop": a lowercase RFC 1123)"))
      << error;
  EXPECT_NE(
      error.find(R"((the node name defaults to the hostname "My_Laptop"; set node.name or --node-name))"),
      std::string::npos)
      << error;
}

TEST(LoaderValidationTest, EveryProblemIsReportedOnItsOwnLine) {
  std::string file;
  const std::string error = fileError(std::string(kHeader) +
                                          "node: {taints: [{key: a, effect: NoRun}]}\n"
                                          "restartBackoff: {multiplier: 0}\nresyncPeriod: 0s\n",
                                      &file);
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 2) << error;
  EXPECT_NE(error.find(file + ": node.taints[0].effect"), std::string::npos);
  EXPECT_NE(error.find(file + ": restartBackoff.multiplier"), std::string::npos);
  EXPECT_NE(error.find(file + ": resyncPeriod"), std::string::npos);
}

}  // namespace
}  // namespace daemonlet::config
