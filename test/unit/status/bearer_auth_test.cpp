// The API's token rule: scheme case-insensitive (RFC 7235), exact token.
#include "agent/status/bearer_auth.h"

#include <gtest/gtest.h>

namespace daemonlet::status {
namespace {

TEST(BearerAuthTest, SchemeIsCaseInsensitiveTokenIsExact) {
  BearerAuth auth("s3cret");
  const std::vector<std::pair<std::string, bool>> cases = {
      {"Bearer s3cret", true},   {"bearer s3cret", true},   {"BEARER s3cret", true},
      {"Bearer   s3cret ", true}, {"Bearer S3cret", false},  {"Bearer s3cre", false},
      {"Bearer s3crett", false}, {"Bearers3cret", false},   {"Basic s3cret", false},
      {"s3cret", false},         {"Bearer ", false},        {"", false},
  };
  for (const auto& [value, accepted] : cases) {
    SCOPED_TRACE(value);
    EXPECT_EQ(auth.accepts(value), accepted);
  }
}

TEST(BearerAuthTest, EmptyTokenAcceptsNobody) {
  BearerAuth auth("");
  EXPECT_FALSE(auth.accepts("Bearer "));
  EXPECT_FALSE(auth.accepts("Bearer x"));
}

TEST(BearerAuthTest, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "ab"));
  EXPECT_FALSE(constantTimeEquals("ab", "abc"));
  EXPECT_FALSE(constantTimeEquals(std::string("a\0", 2), "a"));
}

}  // namespace
}  // namespace daemonlet::status
