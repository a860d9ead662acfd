#include "config/command_line.h"

#include <gtest/gtest.h>

#include "config/agent_config.h"

namespace daemonlet::config {
namespace {

static_assert(kExitConfig == 78, "sysexits.h EX_CONFIG");

TEST(ParseRunFlagsTest, NoFlagsIsAllDefaults) {
  const auto parsed = parseRunFlags({});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_FALSE(parsed->configFile);
  EXPECT_FALSE(parsed->nodeLabels);
  EXPECT_FALSE(parsed->nodeTaints);
  EXPECT_FALSE(parsed->help);
}

TEST(ParseRunFlagsTest, EveryFlagInBothForms) {
  const auto parsed = parseRunFlags({"--config",
                                     "/etc/d.yaml",
                                     "--node-name=n1",
                                     "--node-labels",
                                     "a=1,b=2",
                                     "--node-taints=k=v:NoSchedule,k2:NoExecute",
                                     "--manifest-dir",
                                     "/m",
                                     "--state-dir=/s",
                                     "--log-dir",
                                     "/l",
                                     "--run-dir",
                                     "/r",
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--cri-endpoint",
                                     "unix:///c.sock",
                                     "--cgroup-root",
                                     "",
                                     "--log-level",
                                     "debug"});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->configFile, "/etc/d.yaml");
  EXPECT_EQ(parsed->nodeName, "n1");
  EXPECT_EQ(parsed->nodeLabels, (model::StringMap{{"a", "1"}, {"b", "2"}}));
  ASSERT_TRUE(parsed->nodeTaints);
  ASSERT_EQ(parsed->nodeTaints->size(), 2u);
  EXPECT_EQ((*parsed->nodeTaints)[0].key, "k");
  EXPECT_EQ((*parsed->nodeTaints)[0].value, "v");
  EXPECT_EQ((*parsed->nodeTaints)[0].effect, "NoSchedule");
  EXPECT_EQ((*parsed->nodeTaints)[1].key, "k2");
  EXPECT_EQ((*parsed->nodeTaints)[1].value, "");
  EXPECT_EQ((*parsed->nodeTaints)[1].effect, "NoExecute");
  EXPECT_EQ(parsed->manifestDir, "/m");
  EXPECT_EQ(parsed->stateDir, "/s");
  EXPECT_EQ(parsed->logDir, "/l");
  EXPECT_EQ(parsed->runDir, "/r");
  EXPECT_EQ(parsed->listen, "127.0.0.1:0");
  EXPECT_EQ(parsed->criEndpoint, "unix:///c.sock");
  EXPECT_EQ(parsed->cgroupRoot, "");
  EXPECT_EQ(parsed->logLevel, "debug");
}

TEST(ParseRunFlagsTest, RepeatedFlags) {
  const auto parsed =
      parseRunFlags({"--node-name", "a", "--node-name", "b", "--node-labels", "x=1", "--node-labels", "y=2",
                     "--node-taints", "t1:NoSchedule", "--node-taints", "t2:NoExecute"});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->nodeName, "b");  // last wins, as Go's flag package does
  EXPECT_EQ(parsed->nodeLabels, (model::StringMap{{"x", "1"}, {"y", "2"}}));
  EXPECT_EQ(parsed->nodeTaints->size(), 2u);
}

TEST(ParseRunFlagsTest, EmptyTaintsFlagClearsTaints) {
  const auto parsed = parseRunFlags({"--node-taints="});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_TRUE(parsed->nodeTaints);
  EXPECT_TRUE(parsed->nodeTaints->empty());
}

TEST(ParseRunFlagsTest, Help) {
  for (const char* flag : {"-h", "--help"}) {
    SCOPED_TRACE(flag);
    const auto parsed = parseRunFlags({flag});
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->help);
  }
  EXPECT_NE(runFlagsUsage().find("--node-taints"), std::string::npos);
}

TEST(ParseRunFlagsTest, Errors) {
  const struct {
    std::vector<std::string> args;
    const char* expected;  // in Error::describe()
  } cases[] = {
      {{"--nodename", "x"}, "unknown flag --nodename"},
      {{"--verbose"}, "unknown flag --verbose"},
      {{"-v"}, "unexpected argument \"-v\""},
      {{"extra"}, "unexpected argument \"extra\""},
      {{"--"}, "unexpected argument \"--\""},
      {{"--node-name"}, "--node-name: flag needs a value"},
      {{"--manifest-dir", "--state-dir", "/s"}, "--manifest-dir: flag needs a value"},
      {{"--node-labels", "a"}, "--node-labels: \"a\" is not key=value"},
      {{"--node-labels", "a=1,b=2,a=3"}, "--node-labels: label \"a\" is given twice"},
      {{"--node-labels", "a=1", "--node-labels", "a=2"}, "--node-labels: label \"a\" is given twice"},
      {{"--node-taints", "k=v"}, "--node-taints: \"k=v\" is not key=value:Effect or key:Effect"},
      {{"--node-taints", "k"}, "--node-taints: \"k\" is not key=value:Effect"},
      {{"--node-taints", "k=v:NoSchedule:x"}, "\"k=v:NoSchedule:x\" is not key=value:Effect"},
      {{"--node-taints", "k=v=w:NoSchedule"}, "\"k=v=w:NoSchedule\" is not key=value:Effect"},
      {{"--node-taints", "ok:NoSchedule,bad"}, "\"bad\" is not key=value:Effect"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    const auto parsed = parseRunFlags(c.args);
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().describe().find(c.expected), std::string::npos) << parsed.error().describe();
  }
}

TEST(ParseNodeLabelsTest, KubeletForm) {
  const auto labels = parseNodeLabels(" a = 1 ,,b=,c=x=y,");
  ASSERT_TRUE(labels) << labels.error().describe();
  // Empty items skipped, keys and values trimmed, an empty value kept, the value
  // runs to the end of the item.
  EXPECT_EQ(*labels, (model::StringMap{{"a", "1"}, {"b", ""}, {"c", "x=y"}}));
  EXPECT_TRUE(parseNodeLabels("")->empty());
}

TEST(ParseNodeTaintsTest, KeyOnlyAndKeyValueForms) {
  const auto taints = parseNodeTaints("dedicated=storage:NoSchedule, gpu:PreferNoSchedule");
  ASSERT_TRUE(taints) << taints.error().describe();
  ASSERT_EQ(taints->size(), 2u);
  EXPECT_EQ((*taints)[0].key, "dedicated");
  EXPECT_EQ((*taints)[0].value, "storage");
  EXPECT_EQ((*taints)[0].effect, "NoSchedule");
  EXPECT_EQ((*taints)[1].key, "gpu");
  EXPECT_EQ((*taints)[1].value, "");
  EXPECT_EQ((*taints)[1].effect, "PreferNoSchedule");
}

TEST(ParseNodeTaintsTest, ValuesAreLeftForValidation) {
  // The shape is right; the unsupported effect and empty key are reported by
  // validation, with the same wording as in a file.
  const auto taints = parseNodeTaints("=v:NoRun");
  ASSERT_TRUE(taints) << taints.error().describe();
  EXPECT_EQ((*taints)[0].key, "");
  EXPECT_EQ((*taints)[0].effect, "NoRun");
}

}  // namespace
}  // namespace daemonlet::config
