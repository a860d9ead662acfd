#include "agent/model/validation_names.h"

#include <gtest/gtest.h>

namespace daemonlet::model {
namespace {

TEST(ValidationNamesTest, QualifiedNames) {
  const std::string name63(63, 'a');
  const struct {
    std::string value;
    bool valid;
  } cases[] = {
      {"app", true},
      {"My.Name_1-x", true},
      {"example.com/zone", true},
      {"node-role.kubernetes.io/edge", true},
      {"a/" + name63, true},
      {"", false},
      {"-app", false},
      {"app-", false},
      {"has space", false},
      {"a/" + name63 + "a", false},
      {"/name", false},
      {"prefix/", false},
      {"Upper.Case/name", false},
      {"a/b/c", false},
      {"bad_prefix/name", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(isQualifiedName(c.value).empty(), c.valid);
  }
}

TEST(ValidationNamesTest, LabelValues) {
  const struct {
    std::string value;
    bool valid;
  } cases[] = {
      {"", true},
      {"v1", true},
      {"My_Value.2", true},
      {std::string(63, 'x'), true},
      {std::string(64, 'x'), false},
      {"-v", false},
      {"v/1", false},
      {"a b", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(isValidLabelValue(c.value).empty(), c.valid);
  }
}

TEST(ValidationNamesTest, Dns1123Subdomains) {
  const struct {
    std::string value;
    bool valid;
  } cases[] = {
      {"node-1", true}, {"node-1.example.com", true},
      {"0", true},      {"", false},
      {"Node", false},  {"node_1", false},
      {"node.", false}, {".node", false},
      {"a..b", false},  {std::string(254, 'a'), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(isDns1123Subdomain(c.value).empty(), c.valid);
  }
}

TEST(ValidationNamesTest, ReasonsNameTheFailingPart) {
  const auto errors = isQualifiedName("Bad_Prefix/ok");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].starts_with("prefix part a lowercase RFC 1123 subdomain")) << errors[0];
  const auto tooLong = isQualifiedName(std::string(64, 'a'));
  ASSERT_EQ(tooLong.size(), 1u);
  EXPECT_EQ(tooLong[0], "name part must be no more than 63 characters");
}

}  // namespace
}  // namespace daemonlet::model
