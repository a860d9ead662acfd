// The `daemonlet` command line as other tools see it (../shared/DESIGN.md):
// exit codes, what goes to stdout and stderr, and explain's JSON.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test/integration/support/run_command.h"

namespace daemonlet {
namespace {

using testing::CommandResult;
using testing::runCommand;

const std::string kBinary = DAEMONLET_BINARY;
const std::string kExamples = DAEMONLET_EXAMPLES_DIR;
const std::string kTestdata = DAEMONLET_CLI_TESTDATA_DIR;

std::string example(const std::string& relative) { return kExamples + "/" + relative; }
std::string fixture(const std::string& name) { return kTestdata + "/" + name; }

CommandResult daemonlet(std::vector<std::string> args, const std::string& input = {}) {
  args.insert(args.begin(), kBinary);
  return runCommand(args, input);
}

std::string describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exitCode) + "\n--- stdout:\n" + r.out + "--- stderr:\n" + r.err;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---- version, help, usage errors -------------------------------------------

TEST(CliVersion, PrintsVersionOnStdout) {
  for (const char* spelling : {"version", "--version"}) {
    SCOPED_TRACE(spelling);
    const CommandResult r = daemonlet({spelling});
    EXPECT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_EQ(r.out.rfind("daemonlet ", 0), 0u) << r.out;
    EXPECT_TRUE(contains(r.out, DAEMONLET_TEST_EXPECTED_VERSION)) << r.out;
    EXPECT_EQ(r.err, "");
  }
}

TEST(CliHelp, HelpGoesToStdoutWithExitZero) {
  for (const char* spelling : {"help", "--help", "-h"}) {
    SCOPED_TRACE(spelling);
    const CommandResult r = daemonlet({spelling});
    EXPECT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_TRUE(contains(r.out, "usage: daemonlet")) << r.out;
    EXPECT_TRUE(contains(r.out, "validate"));
    EXPECT_TRUE(contains(r.out, "explain"));
  }
}

TEST(CliHelp, SubcommandHelpExitsZero) {
  for (const char* sub : {"validate", "explain", "version"}) {
    SCOPED_TRACE(sub);
    const CommandResult r = daemonlet({sub, "--help"});
    EXPECT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_TRUE(contains(r.out, std::string("usage: daemonlet ") + sub)) << r.out;
  }
}

TEST(CliUsage, UsageErrorsExitTwoWithMessageOnStderr) {
  const std::string ds = example("daemonsets/fluentd-elasticsearch.yaml");
  const std::string node = example("nodes/worker.yaml");
  struct Case {
    const char* name;
    std::vector<std::string> args;
    const char* stderrHas;
  };
  const std::vector<Case> cases = {
      {"no arguments", {}, "usage: daemonlet"},
      {"unknown command", {"frobnicate"}, "unknown command \"frobnicate\""},
      {"validate without files", {"validate"}, "no FILE given"},
      {"validate unknown option", {"validate", "--strict", ds}, "unknown option --strict"},
      {"version with argument", {"version", "extra"}, "takes no arguments"},
      {"explain without --node", {"explain", ds}, "--node NODE_FILE is required"},
      {"explain --node without value", {"explain", ds, "--node"}, "--node needs a value"},
      {"explain without DaemonSet file", {"explain", "--node", node}, "expected exactly one DAEMONSET_FILE"},
      {"explain with two DaemonSet files", {"explain", "--node", node, ds, ds}, "expected exactly one DAEMONSET_FILE"},
      {"explain unknown format", {"explain", "--node", node, "-o", "yaml", ds}, "unknown output format \"yaml\""},
      {"explain unknown option", {"explain", "--node", node, "--verbose", ds}, "unknown option --verbose"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const CommandResult r = daemonlet(c.args);
    EXPECT_EQ(r.exitCode, 2) << describe(r);
    EXPECT_TRUE(contains(r.err, c.stderrHas)) << describe(r);
    EXPECT_EQ(r.out, "");
  }
}

// ---- validate ----------------------------------------------------------------

TEST(CliValidate, EveryExampleIsValid) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"daemonsets/fluentd-elasticsearch.yaml", "kube-system/fluentd-elasticsearch"},
      {"daemonsets/node-exporter.yaml", "monitoring/node-exporter"},
      {"daemonsets/gpu-device-plugin.yaml", "kube-system/nvidia-device-plugin"},
      {"daemonsets/control-plane-audit.yaml", "kube-system/audit-log-shipper"},
      {"host/heartbeat.yaml", "default/heartbeat"},
      {"host/disk-usage-reporter.yaml", "default/disk-usage-reporter"},
  };
  std::vector<std::string> args = {"validate"};
  for (const auto& [file, name] : files) {
    SCOPED_TRACE(file);
    const CommandResult r = daemonlet({"validate", example(file)});
    EXPECT_EQ(r.exitCode, 0) << describe(r);
    EXPECT_TRUE(contains(r.out, example(file) + ": 1 DaemonSet valid (" + name + ")")) << r.out;
    args.push_back(example(file));
  }
  const CommandResult all = daemonlet(args);
  EXPECT_EQ(all.exitCode, 0) << describe(all);
}

TEST(CliValidate, EmptySelectorNamesFileDocumentAndFieldPath) {
  const CommandResult r = daemonlet({"validate", fixture("empty-selector.yaml")});
  EXPECT_EQ(r.exitCode, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, fixture("empty-selector.yaml") + ": document 0")) << r.err;
  EXPECT_TRUE(contains(r.err, "DaemonSet kube-system/empty-selector: spec.selector: Invalid value: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "empty selector is invalid for daemonset")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliValidate, OneInvalidFileAmongValidOnesFailsTheRun) {
  const CommandResult r =
      daemonlet({"validate", example("daemonsets/node-exporter.yaml"), fixture("empty-selector.yaml")});
  EXPECT_EQ(r.exitCode, 1) << describe(r);
  EXPECT_TRUE(contains(r.out, "monitoring/node-exporter")) << r.out;
  EXPECT_TRUE(contains(r.err, "spec.selector")) << r.err;
}

TEST(CliValidate, OldApiVersionIsInvalid) {
  const CommandResult r = daemonlet({"validate", fixture("old-apiversion.yaml")});
  EXPECT_EQ(r.exitCode, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "apps/v1")) << r.err;
  EXPECT_TRUE(contains(r.err, "extensions/v1beta1")) << r.err;
}

TEST(CliValidate, FileWithoutDaemonSetIsInvalid) {
  const CommandResult r = daemonlet({"validate", fixture("configmap-only.yaml")});
  EXPECT_EQ(r.exitCode, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "no DaemonSet found")) << r.err;
  EXPECT_TRUE(contains(r.err, "skipped v1/ConfigMap")) << r.err;
}

TEST(CliValidate, OtherKindsAreSkippedAndReported) {
  const CommandResult r = daemonlet({"validate", fixture("two-daemonsets.yaml")});
  EXPECT_EQ(r.exitCode, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "2 DaemonSets valid (ops/first, ops/second), 1 other object skipped")) << r.out;
  EXPECT_TRUE(contains(r.err, "skipped v1/ConfigMap")) << r.err;
  const CommandResult quiet = daemonlet({"validate", "--quiet", fixture("two-daemonsets.yaml")});
  EXPECT_EQ(quiet.exitCode, 0) << describe(quiet);
  EXPECT_EQ(quiet.err, "");
}

TEST(CliValidate, MissingFileExitsTwoButStillChecksTheOthers) {
  const CommandResult r = daemonlet({"validate", "/nonexistent/ds.yaml", example("host/heartbeat.yaml")});
  EXPECT_EQ(r.exitCode, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "/nonexistent/ds.yaml")) << r.err;
  EXPECT_TRUE(contains(r.out, "default/heartbeat")) << r.out;
}

TEST(CliValidate, YamlSyntaxErrorIsInvalidWithLineAndColumn) {
  const CommandResult r = daemonlet({"validate", fixture("syntax-error.yaml")});
  EXPECT_EQ(r.exitCode, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "syntax-error.yaml")) << r.err;
  EXPECT_TRUE(contains(r.err, "line ")) << r.err;
  EXPECT_TRUE(contains(r.err, "column ")) << r.err;
}

TEST(CliValidate, ReadsStandardInput) {
  const CommandResult ok = daemonlet({"validate", "-"}, "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: s}\n"
                                                        "spec:\n  selector: {matchLabels: {a: b}}\n"
                                                        "  template:\n    metadata: {labels: {a: b}}\n"
                                                        "    spec: {containers: [{name: c, image: i}]}\n");
  EXPECT_EQ(ok.exitCode, 0) << describe(ok);
  EXPECT_TRUE(contains(ok.out, "<stdin>: 1 DaemonSet valid (default/s)")) << ok.out;
  const CommandResult twice = daemonlet({"validate", "-", "-"});
  EXPECT_EQ(twice.exitCode, 2) << describe(twice);
}

// ---- explain -----------------------------------------------------------------

struct ExplainCase {
  const char* node;
  const char* daemonSet;
  bool shouldRun;
  bool shouldContinueRunning;
};

// Every example DaemonSet against every example node.
const ExplainCase kExplainCases[] = {
    // The concept page's example tolerates the control-plane taints: it runs there.
    {"control-plane", "fluentd-elasticsearch", true, true},
    {"worker", "fluentd-elasticsearch", true, true},
    // nvidia.com/gpu=present:NoSchedule is not tolerated: no new pod, a running one may stay.
    {"gpu-worker", "fluentd-elasticsearch", false, true},
    {"control-plane", "node-exporter", true, true},
    {"worker", "node-exporter", true, true},
    {"gpu-worker", "node-exporter", true, true},
    {"control-plane", "gpu-device-plugin", false, false},
    {"worker", "gpu-device-plugin", false, false},
    {"gpu-worker", "gpu-device-plugin", true, true},
    {"control-plane", "control-plane-audit", true, true},
    {"worker", "control-plane-audit", false, false},
    {"gpu-worker", "control-plane-audit", false, false},
};

nlohmann::json explainJson(const std::string& node, const std::string& daemonSetFile, CommandResult& r) {
  r = daemonlet({"explain", "--node", node, daemonSetFile});
  return nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
}

TEST(CliExplain, JsonVerdictForEveryExamplePair) {
  for (const ExplainCase& c : kExplainCases) {
    SCOPED_TRACE(std::string(c.daemonSet) + " on " + c.node);
    CommandResult r;
    const nlohmann::json out = explainJson(example(std::string("nodes/") + c.node + ".yaml"),
                                           example(std::string("daemonsets/") + c.daemonSet + ".yaml"), r);
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    ASSERT_TRUE(out.is_object()) << r.out;
    ASSERT_TRUE(out.contains("shouldRun") && out["shouldRun"].is_boolean()) << r.out;
    ASSERT_TRUE(out.contains("shouldContinueRunning") && out["shouldContinueRunning"].is_boolean()) << r.out;
    EXPECT_EQ(out["shouldRun"].get<bool>(), c.shouldRun) << r.out;
    EXPECT_EQ(out["shouldContinueRunning"].get<bool>(), c.shouldContinueRunning) << r.out;
    ASSERT_TRUE(out.contains("reasons") && out["reasons"].is_array()) << r.out;
    EXPECT_FALSE(out["reasons"].empty()) << "every verdict should say why: " << r.out;
    for (const auto& reason : out["reasons"]) EXPECT_TRUE(reason.is_string()) << r.out;
    ASSERT_TRUE(out["revision"].is_string()) << r.out;
    EXPECT_EQ(out["revision"].get<std::string>().size(), 10u) << r.out;
  }
}

TEST(CliExplain, SeedCaseNamesObjectsAndTaints) {
  CommandResult r;
  const nlohmann::json out = explainJson(example("nodes/control-plane.yaml"),
                                         example("daemonsets/fluentd-elasticsearch.yaml"), r);
  ASSERT_EQ(r.exitCode, 0) << describe(r);
  EXPECT_EQ(out.value("daemonSet", ""), "kube-system/fluentd-elasticsearch");
  EXPECT_EQ(out.value("node", ""), "control-plane-1");
  EXPECT_TRUE(contains(out["reasons"].dump(), "node-role.kubernetes.io/master")) << r.out;
}

TEST(CliExplain, GpuDaemonOnWorkerExplainsTheMissingLabel) {
  CommandResult r;
  const nlohmann::json out =
      explainJson(example("nodes/worker.yaml"), example("daemonsets/gpu-device-plugin.yaml"), r);
  ASSERT_EQ(r.exitCode, 0) << describe(r);
  EXPECT_FALSE(out.value("shouldRun", true));
  EXPECT_TRUE(contains(out["reasons"].dump(), "nvidia.com/gpu.present")) << r.out;
}

TEST(CliExplain, RevisionIgnoresFormatAndKeyOrder) {
  CommandResult yaml, json, otherNode;
  const auto fromYaml = explainJson(example("nodes/worker.yaml"), example("daemonsets/fluentd-elasticsearch.yaml"), yaml);
  const auto fromJson = explainJson(example("nodes/worker.yaml"), fixture("fluentd-elasticsearch.json"), json);
  const auto onOther =
      explainJson(example("nodes/gpu-worker.yaml"), example("daemonsets/fluentd-elasticsearch.yaml"), otherNode);
  ASSERT_EQ(yaml.exitCode, 0) << describe(yaml);
  ASSERT_EQ(json.exitCode, 0) << describe(json);
  EXPECT_EQ(fromYaml["revision"], fromJson["revision"]);
  EXPECT_EQ(fromYaml["revision"], onOther["revision"]);
  CommandResult gpu;
  const auto otherDs = explainJson(example("nodes/worker.yaml"), example("daemonsets/gpu-device-plugin.yaml"), gpu);
  EXPECT_NE(fromYaml["revision"], otherDs["revision"]);
}

TEST(CliExplain, TextOutputForHumans) {
  const CommandResult runs = daemonlet({"explain", "--node", example("nodes/control-plane.yaml"), "-o", "text",
                                        example("daemonsets/fluentd-elasticsearch.yaml")});
  ASSERT_EQ(runs.exitCode, 0) << describe(runs);
  EXPECT_TRUE(contains(runs.out, "DaemonSet:  kube-system/fluentd-elasticsearch\n")) << runs.out;
  EXPECT_TRUE(contains(runs.out, "Node:       control-plane-1\n")) << runs.out;
  EXPECT_TRUE(contains(runs.out, "Verdict:    runs here\n")) << runs.out;
  EXPECT_TRUE(contains(runs.out, "Reasons:\n  - ")) << runs.out;

  const CommandResult stays = daemonlet({"explain", "--node=" + example("nodes/gpu-worker.yaml"), "--output=text",
                                         example("daemonsets/fluentd-elasticsearch.yaml")});
  ASSERT_EQ(stays.exitCode, 0) << describe(stays);
  EXPECT_TRUE(contains(stays.out, "Verdict:    does not start here (running pods may stay)\n")) << stays.out;

  const CommandResult never = daemonlet({"explain", "--node", example("nodes/worker.yaml"), "-o", "text",
                                         example("daemonsets/gpu-device-plugin.yaml")});
  ASSERT_EQ(never.exitCode, 0) << describe(never);
  EXPECT_TRUE(contains(never.out, "Verdict:    does not run here\n")) << never.out;
}

TEST(CliExplain, InvalidDaemonSetExitsOneWithFieldPath) {
  const CommandResult r = daemonlet({"explain", "--node", example("nodes/worker.yaml"), fixture("empty-selector.yaml")});
  EXPECT_EQ(r.exitCode, 1) << describe(r);
  EXPECT_TRUE(contains(r.err, "spec.selector: Invalid value: ")) << r.err;
  EXPECT_EQ(r.out, "");
  const CommandResult old = daemonlet({"explain", "--node", example("nodes/worker.yaml"), fixture("old-apiversion.yaml")});
  EXPECT_EQ(old.exitCode, 1) << describe(old);
}

TEST(CliExplain, UnusableInputExitsTwo) {
  const std::string node = example("nodes/worker.yaml");
  const std::string ds = example("daemonsets/fluentd-elasticsearch.yaml");
  struct Case {
    const char* name;
    std::vector<std::string> args;
    std::vector<std::string> stderrHas;
  };
  const std::vector<Case> cases = {
      {"missing node file", {"explain", "--node", "/nonexistent/node.yaml", ds}, {"/nonexistent/node.yaml"}},
      {"missing DaemonSet file", {"explain", "--node", node, "/nonexistent/ds.yaml"}, {"/nonexistent/ds.yaml"}},
      {"node file is a DaemonSet", {"explain", "--node", ds, ds}, {"not a Node", "DaemonSet"}},
      {"node file is a directory", {"explain", "--node", kExamples, ds}, {"is a directory"}},
      {"DaemonSet file without DaemonSet", {"explain", "--node", node, fixture("configmap-only.yaml")},
       {"no DaemonSet found"}},
      {"syntax error", {"explain", "--node", node, fixture("syntax-error.yaml")}, {"line ", "column "}},
      {"several DaemonSets", {"explain", "--node", node, fixture("two-daemonsets.yaml")},
       {"--name", "ops/first", "ops/second"}},
      {"--name matching nothing", {"explain", "--node", node, "--name", "third", fixture("two-daemonsets.yaml")},
       {"no DaemonSet named \"third\""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const CommandResult r = daemonlet(c.args);
    EXPECT_EQ(r.exitCode, 2) << describe(r);
    for (const std::string& needle : c.stderrHas) EXPECT_TRUE(contains(r.err, needle)) << needle << "\n" << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliExplain, NamePicksOneOfSeveral) {
  for (const char* name : {"second", "ops/second"}) {
    SCOPED_TRACE(name);
    CommandResult r = daemonlet({"explain", "--node", example("nodes/worker.yaml"), "--name", name,
                                 fixture("two-daemonsets.yaml")});
    ASSERT_EQ(r.exitCode, 0) << describe(r);
    const auto out = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_EQ(out.value("daemonSet", ""), "ops/second");
    // Pinned to another node by spec.template.spec.nodeName.
    EXPECT_FALSE(out.value("shouldRun", true)) << r.out;
    EXPECT_FALSE(out.value("shouldContinueRunning", true)) << r.out;
  }
}

TEST(CliExplain, NodeFromStandardInput) {
  const CommandResult r = daemonlet({"explain", "--node", "-", example("daemonsets/fluentd-elasticsearch.yaml")},
                                    R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"piped"}})");
  ASSERT_EQ(r.exitCode, 0) << describe(r);
  const auto out = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(out.value("node", ""), "piped");
  EXPECT_TRUE(out.value("shouldRun", false)) << r.out;
}

}  // namespace
}  // namespace daemonlet
