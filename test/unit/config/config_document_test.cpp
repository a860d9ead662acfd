#include "config/config_document.h"

#include <gtest/gtest.h>

namespace daemonlet::config {
namespace {

TEST(ConfigDocumentTest, TypesPlainScalarsByCoreSchema) {
  const auto json = readConfigDocument(
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

TEST(ConfigDocumentTest, NestedStructuresAndJson) {
  const auto yaml = readConfigDocument("a:\n  b: [1, x]\n  c: {d: e}\n", "f.yaml");
  ASSERT_TRUE(yaml);
  EXPECT_EQ(yaml->dump(), R"({"a":{"b":[1,"x"],"c":{"d":"e"}}})");
  const auto json = readConfigDocument(R"({"a": {"b": [1, "x"]}})", "f.json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->dump(), R"({"a":{"b":[1,"x"]}})");
}

TEST(ConfigDocumentTest, EmptyAndCommentOnlyAreNull) {
  for (const char* text : {"", "# nothing\n", "---\n"}) {
    SCOPED_TRACE(text);
    const auto json = readConfigDocument(text, "f.yaml");
    ASSERT_TRUE(json) << json.error().describe();
    EXPECT_TRUE(json->is_null());
  }
}

TEST(ConfigDocumentTest, Errors) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"a: 1\na: 2\n", "f.yaml: invalid YAML at line 2, column 1: duplicate key \"a\""},
      {"a: [1\n", "f.yaml: invalid YAML at line"},
      {"a: 1\n---\nb: 2\n", "holds 2 YAML documents"},
      {"? [x]\n: 1\n", "map keys must be scalars"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto json = readConfigDocument(c.text, "f.yaml");
    ASSERT_FALSE(json);
    EXPECT_NE(json.error().describe().find(c.expected), std::string::npos) << json.error().describe();
  }
}

TEST(ConfigDocumentTest, RefusesHugeInput) {
  const auto json = readConfigDocument(std::string(2 * 1024 * 1024, ' '), "f.yaml");
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("larger than 1 MiB"), std::string::npos);
}

// Found by the config fuzzer (corpus/config/regression-yamlcpp-loop.json): a
// stray ',' after a flow mapping made yaml-cpp's LoadAll yield empty documents
// forever, so the agent hung at start or on SIGHUP instead of refusing the file.
TEST(ConfigDocumentTest, StreamThatStopsProgressingIsRefused) {
  const auto json = readConfigDocument("{\"a\":\"b\"},\"c\":\"d\"}\n", "config.yaml");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().context, "config.yaml");
}

// The model's reader, with config's rules: keys stay as written (go-yaml would
// make `yes:` the key "true"), `<<` is an ordinary key, and the bytes YAML
// forbids are refused with where they are.
TEST(ConfigDocumentTest, StrictRulesOfTheSharedReader) {
  const auto keys = readConfigDocument("yes: 1\n0x1F: 2\n<<: {a: b}\n", "f.yaml");
  ASSERT_TRUE(keys) << keys.error().describe();
  EXPECT_EQ(keys->dump(), R"({"yes":1,"0x1F":2,"<<":{"a":"b"}})");
  const auto nul = readConfigDocument(std::string("a: b\nc: \0\n", 11), "f.yaml");
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().describe(), "f.yaml: invalid YAML at line 2, column 4: NUL byte");
  const auto flowDuplicate = readConfigDocument(R"({"a": 1, "a": 2})", "f.json");
  ASSERT_FALSE(flowDuplicate);
  EXPECT_NE(flowDuplicate.error().message.find("duplicate key \"a\""), std::string::npos);
}

}  // namespace
}  // namespace daemonlet::config
