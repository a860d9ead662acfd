// Label key/value syntax and Go's ParseInt, which decide whether an affinity term parses.
#include "agent/decision/label_syntax.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace daemonlet::decision {
namespace {

TEST(LabelSyntaxTest, ParseGoInt64) {
  struct Case {
    std::string text;
    std::optional<std::int64_t> value;
  };
  const std::vector<Case> cases = {
      {"0", 0},
      {"42", 42},
      {"-0", 0},
      {"+5", 5},
      {"-17", -17},
      {"007", 7},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"9223372036854775808", std::nullopt},
      {"-9223372036854775809", std::nullopt},
      {"99999999999999999999", std::nullopt},
      {"", std::nullopt},
      {"-", std::nullopt},
      {"+", std::nullopt},
      {"1_000", std::nullopt},
      {"1.5", std::nullopt},
      {" 1", std::nullopt},
      {"1 ", std::nullopt},
      {"0x10", std::nullopt},
      {"four", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("\"" + c.text + "\"");
    EXPECT_EQ(parseGoInt64(c.text), c.value);
  }
}

TEST(LabelSyntaxTest, LabelKeys) {
  struct Case {
    std::string key;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"zone", true},
      {"Zone_1.a-b", true},
      {"kubernetes.io/hostname", true},
      {"node-role.kubernetes.io/control-plane", true},
      {"", false},
      {"-zone", false},
      {"zone-", false},
      {"bad key", false},
      {"/zone", false},
      {"example.com/", false},
      {"a/b/c", false},
      {"Example.com/zone", false},  // the prefix is a lowercase DNS subdomain
      {"example..com/zone", false},
      {std::string(63, 'a'), true},
      {std::string(64, 'a'), false},
      {std::string(253, 'a') + "/x", true},
      {std::string(254, 'a') + "/x", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("\"" + c.key + "\"");
    EXPECT_EQ(isValidLabelKey(c.key), c.valid);
  }
}

TEST(LabelSyntaxTest, LabelValues) {
  struct Case {
    std::string value;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"", true},
      {"ssd", true},
      {"v1.2_3-x", true},
      {"8", true},
      {"-5", false},
      {"+5", false},
      {"a b", false},
      {"a/b", false},
      {"x-", false},
      {std::string(63, 'v'), true},
      {std::string(64, 'v'), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("\"" + c.value + "\"");
    EXPECT_EQ(isValidLabelValue(c.value), c.valid);
  }
}

}  // namespace
}  // namespace daemonlet::decision
