#include "config/yaml_to_json.h"

#include <gtest/gtest.h>

namespace daemonlet::config {
namespace {

TEST(YamlToJsonTest, TypesPlainScalarsByCoreSchema) {
  const auto json = yamlToJson(
      "i: 8080\nneg: -3\nhex: 0x1F\noct: 0o17\nf: 2.5\nexp: 1e3\nt: true\nn: null\ntilde: ~\nempty:\n"
      "s: hello\nyes: yes\nquoted: \"8080\"\nsingle: 'true'\ntagged: !!str 12\nversion: 1.2.3\n",
      "f.yaml");
  ASSERT_TRUE(json) << json.error().describe();
  const model::Json& j = *json;
  EXPECT_EQ(j["i"], 8080);
  EXPECT_EQ(j["neg"], -3);
  EXPECT_EQ(j["hex"], 31);
  EXPECT_EQ(j["oct"], 15);
  EXPECT_EQ(j["f"], 2.5);
  EXPECT_EQ(j["exp"], 1000.0);
  EXPECT_EQ(j["t"], true);
  EXPECT_TRUE(j["n"].is_null());
  EXPECT_TRUE(j["tilde"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["s"], "hello");
  EXPECT_EQ(j["yes"], "yes");  // YAML 1.2: not a boolean
  EXPECT_EQ(j["quoted"], "8080");
  EXPECT_EQ(j["single"], "true");
  EXPECT_EQ(j["tagged"], "12");
  EXPECT_EQ(j["version"], "1.2.3");
}

TEST(YamlToJsonTest, NestedStructuresAndJson) {
  const auto yaml = yamlToJson("a:\n  b: [1, x]\n  c: {d: e}\n", "f.yaml");
  ASSERT_TRUE(yaml);
  EXPECT_EQ(yaml->dump(), R"({"a":{"b":[1,"x"],"c":{"d":"e"}}})");
  const auto json = yamlToJson(R"({"a": {"b": [1, "x"]}})", "f.json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->dump(), R"({"a":{"b":[1,"x"]}})");
}

TEST(YamlToJsonTest, EmptyAndCommentOnlyAreNull) {
  for (const char* text : {"", "# nothing\n", "---\n"}) {
    SCOPED_TRACE(text);
    const auto json = yamlToJson(text, "f.yaml");
    ASSERT_TRUE(json) << json.error().describe();
    EXPECT_TRUE(json->is_null());
  }
}

TEST(YamlToJsonTest, Errors) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"a: 1\na: 2\n", "f.yaml: line 2, column 1: duplicate key \"a\""},
      {"a: [1\n", "f.yaml: YAML syntax error: line"},
      {"a: 1\n---\nb: 2\n", "holds 2 YAML documents"},
      {"? [x]\n: 1\n", "mapping keys must be plain strings"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto json = yamlToJson(c.text, "f.yaml");
    ASSERT_FALSE(json);
    EXPECT_NE(json.error().describe().find(c.expected), std::string::npos) << json.error().describe();
  }
}

TEST(YamlToJsonTest, RefusesHugeInput) {
  const auto json = yamlToJson(std::string(2 * 1024 * 1024, ' '), "f.yaml");
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("larger than 1 MiB"), std::string::npos);
}

// Found by the config fuzzer (corpus/config/regression-yamlcpp-loop.json): a
// stray ',' after a flow mapping made yaml-cpp's LoadAll yield empty documents
// forever, so the agent hung at start or on SIGHUP instead of refusing the file.
TEST(YamlToJsonTest, StreamThatStopsProgressingIsRefused) {
  const auto json = yamlToJson("{\"a\":\"b\"},\"c\":\"d\"}\n", "config.yaml");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().context, "config.yaml");
}

}  // namespace
}  // namespace daemonlet::config
