// Plain YAML scalars must mean what they mean to kubectl (go-yaml v2, YAML 1.1).
#include <gtest/gtest.h>

#include "agent/model/document_reader.h"

namespace daemonlet::model {
namespace {

Json valueOf(const std::string& yamlValue) {
  auto docs = readDocuments("v: " + yamlValue + "\n", "t.yaml");
  EXPECT_TRUE(docs.has_value()) << (docs ? "" : docs.error().describe());
  if (!docs || docs->size() != 1) return Json("<missing>");
  return docs->front().object["v"];
}

TEST(YamlScalarTest, ResolvesLikeGoYamlV2) {
  struct Case {
    const char* yaml;
    Json expected;
  };
  const Case cases[] = {
      {"~", nullptr},
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"", nullptr},
      {"true", true},
      {"True", true},
      {"yes", true},
      {"Yes", true},
      {"on", true},
      {"ON", true},
      {"y", true},
      {"Y", true},
      {"false", false},
      {"no", false},
      {"No", false},
      {"off", false},
      {"n", false},
      {"N", false},
      {"tRUE", "tRUE"},
      {"0", 0},
      {"42", 42},
      {"+12", 12},
      {"-7", -7},
      {"0x1F", 31},
      {"-0x10", -16},
      {"0o17", 15},
      {"017", 15},
      {"0b101", 5},
      {"-0b101", -5},
      {"1_000", 1000},
      {"08", 8},  // not octal: go-yaml falls back to a float, which is integral
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
      {"9223372036854775808", 9223372036854775808ULL},
      {"1.5", 1.5},
      {"-2.25", -2.25},
      {"1e3", 1000},
      {"1.0", 1},
      {".5", 0.5},
      {"1e400", "1e400"},  // out of float range: stays a string
      {"0x", "0x"},
      {"1.2.3", "1.2.3"},
      {"2024-01-01", "2024-01-01"},  // timestamps stay strings
      {"12:30", "12:30"},
      {"100m", "100m"},
      {"'yes'", "yes"},
      {"\"123\"", "123"},
      {"'null'", "null"},
      {"!!str 123", "123"},
      {"!!str true", "true"},
      {"!custom 5", "5"},
      {"''", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const Json got = valueOf(c.yaml);
    EXPECT_EQ(got, c.expected) << got.dump();
    EXPECT_EQ(got.type(), c.expected.type()) << got.dump();
  }
}

TEST(YamlScalarTest, InfinityAndNanAreErrors) {
  for (const char* text : {".inf", "-.Inf", ".NaN"}) {
    SCOPED_TRACE(text);
    auto docs = readDocuments(std::string("v: ") + text, "t.yaml");
    ASSERT_FALSE(docs.has_value());
    EXPECT_NE(docs.error().message.find("line 1"), std::string::npos) << docs.error().message;
  }
}

TEST(YamlScalarTest, NonStringKeysBecomeStrings) {
  auto docs = readDocuments("1: a\nyes: b\n~: c\n1.5: d\n'x': e\n", "t.yaml");
  ASSERT_TRUE(docs.has_value()) << docs.error().describe();
  const Json expected = Json::parse(R"({"1":"a","true":"b","null":"c","1.5":"d","x":"e"})");
  EXPECT_EQ(docs->front().object, expected) << docs->front().object.dump();
}

TEST(YamlScalarTest, MergeKeysAndAliases) {
  const char* text =
      "base: &base\n"
      "  a: 1\n"
      "  b: 2\n"
      "other: &other\n"
      "  c: 3\n"
      "derived:\n"
      "  b: 20\n"
      "  <<: [*base, *other]\n"
      "copy: *base\n";
  auto docs = readDocuments(text, "t.yaml");
  ASSERT_TRUE(docs.has_value()) << docs.error().describe();
  const Json& obj = docs->front().object;
  EXPECT_EQ(obj["derived"], Json::parse(R"({"b":20,"a":1,"c":3})"));
  EXPECT_EQ(obj["copy"], Json::parse(R"({"a":1,"b":2})"));
}

TEST(YamlScalarTest, BadMergeValueIsAnErrorNotACrash) {
  auto docs = readDocuments("a:\n  <<: 5\n", "t.yaml");
  EXPECT_FALSE(docs.has_value());
}

}  // namespace
}  // namespace daemonlet::model
