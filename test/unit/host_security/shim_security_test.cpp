// The security part of the shim wire protocol: round trip, strict integers,
// and both directions of an upgrade (a spec or report without the new fields).
#include <gtest/gtest.h>

#include "runtime/process/shim_protocol.h"

namespace daemonlet::runtime::process {
namespace {

using Json = nlohmann::ordered_json;

ShimSpec minimalSpec() {
  ShimSpec spec;
  spec.id = "id";
  spec.argv = {"/bin/daemon"};
  return spec;
}

TEST(ShimSecurityTest, RoundTrips) {
  ShimSpec spec = minimalSpec();
  spec.security.oomScoreAdj = -997;
  spec.security.groups = std::vector<std::int64_t>{65534, 100};
  spec.security.keepAllCapabilities = false;
  spec.security.capabilities = 0x5;
  spec.security.ambient = 0x4;
  spec.security.noNewPrivileges = true;
  auto decoded = decodeShimSpec(encodeShimSpec(spec));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().describe();
  EXPECT_EQ(decoded->security.oomScoreAdj, -997);
  EXPECT_EQ(decoded->security.groups, spec.security.groups);
  EXPECT_FALSE(decoded->security.keepAllCapabilities);
  EXPECT_EQ(decoded->security.capabilities, 0x5u);
  EXPECT_EQ(decoded->security.ambient, 0x4u);
  EXPECT_TRUE(decoded->security.noNewPrivileges);
}

TEST(ShimSecurityTest, ASpecFromAnOlderAgentKeepsTheOldBehaviour) {
  Json j = Json::parse(encodeShimSpec(minimalSpec()));
  j.erase("security");
  auto decoded = decodeShimSpec(j.dump());
  ASSERT_TRUE(decoded.has_value()) << decoded.error().describe();
  EXPECT_TRUE(decoded->security.keepAllCapabilities);
  EXPECT_FALSE(decoded->security.oomScoreAdj.has_value());
  EXPECT_FALSE(decoded->security.groups.has_value());
}

TEST(ShimSecurityTest, OutOfRangeOrWrongTypedValuesAreRefused) {
  const Json bad[] = {
      {{"oomScoreAdj", 1001}},
      {{"oomScoreAdj", -1001}},
      {{"oomScoreAdj", 1.5}},
      {{"oomScoreAdj", "0"}},
      {{"groups", {-1}}},
      {{"groups", {4294967295LL}}},
      {{"groups", 7}},
      {{"capabilities", -1}},
      {{"ambient", "all"}},
      {{"keepAllCapabilities", 1}},
      {{"noNewPrivileges", "yes"}},
      Json::array(),
  };
  for (const Json& security : bad) {
    SCOPED_TRACE(security.dump());
    Json j = Json::parse(encodeShimSpec(minimalSpec()));
    j["security"] = security;
    EXPECT_FALSE(decodeShimSpec(j.dump()).has_value());
  }
}

TEST(ShimSecurityTest, AReportFromAnOlderHostSaysNothingWasApplied) {
  ShimReport report;
  report.started = true;
  report.securityApplied = true;
  Json j = Json::parse(encodeShimReport(report));
  EXPECT_TRUE(decodeShimReport(j.dump())->securityApplied);
  j.erase("securityApplied");
  auto old = decodeShimReport(j.dump());
  ASSERT_TRUE(old.has_value());
  EXPECT_FALSE(old->securityApplied);
}

}  // namespace
}  // namespace daemonlet::runtime::process
