#include "config/go_duration.h"

#include <gtest/gtest.h>

namespace daemonlet::config {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(GoDurationTest, ParsesGoForms) {
  const struct {
    const char* text;
    nanoseconds expected;
  } cases[] = {
      {"0", nanoseconds(0)},
      {"0s", nanoseconds(0)},
      {"-0", nanoseconds(0)},
      {"10s", seconds(10)},
      {"5m", minutes(5)},
      {"1h30m", minutes(90)},
      {"1.5h", minutes(90)},
      {"300ms", milliseconds(300)},
      {"1us", microseconds(1)},
      {"1\xC2\xB5s", microseconds(1)},
      {"1\xCE\xBCs", microseconds(1)},
      {"7ns", nanoseconds(7)},
      {".5s", milliseconds(500)},
      {"5.s", seconds(5)},
      {"+2m", minutes(2)},
      {"-3s", seconds(-3)},
      {"1h0m0s", hours(1)},
      {"2h45m30.5s", hours(2) + minutes(45) + milliseconds(30500)},
      {"9223372036854775807ns", nanoseconds(9223372036854775807LL)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto parsed = parseGoDuration(c.text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, c.expected);
  }
}

TEST(GoDurationTest, RejectsMalformed) {
  const struct {
    const char* text;
    const char* why;
  } cases[] = {
      {"", "invalid duration"},        {"-", "invalid duration"},
      {"10", "missing unit"},          {"10x", "unknown unit \"x\""},
      {"10 s", "unknown unit \" s\""}, {"s", "invalid duration"},
      {".s", "invalid duration"},      {"1h30", "missing unit"},
      {"10S", "unknown unit \"S\""},   {"9223372036854775808ns", "out of range"},
      {"3000000h", "out of range"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    std::string why;
    EXPECT_FALSE(parseGoDuration(c.text, &why).has_value());
    EXPECT_NE(why.find(c.why), std::string::npos) << why;
  }
}

TEST(GoDurationTest, FormatsLikeGo) {
  const struct {
    nanoseconds value;
    const char* expected;
  } cases[] = {
      {nanoseconds(0), "0s"},
      {seconds(10), "10s"},
      {minutes(5), "5m0s"},
      {minutes(90), "1h30m0s"},
      {milliseconds(1500), "1.5s"},
      {milliseconds(300), "300ms"},
      {microseconds(1500), "1.5ms"},
      {nanoseconds(1500), "1.5\xC2\xB5s"},
      {nanoseconds(7), "7ns"},
      {seconds(-3), "-3s"},
      {hours(26) + nanoseconds(1), "26h0m0.000000001s"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(formatGoDuration(c.value), c.expected);
  }
}

TEST(GoDurationTest, FormatThenParseRoundTrips) {
  for (const nanoseconds value : {nanoseconds(123456789), nanoseconds(-987654321012), nanoseconds(1)}) {
    SCOPED_TRACE(value.count());
    EXPECT_EQ(parseGoDuration(formatGoDuration(value)), value);
  }
}

}  // namespace
}  // namespace daemonlet::config
