#include "agent/model/quantity.h"

#include <gtest/gtest.h>

#include <limits>

namespace daemonlet::model {
namespace {

struct ValidCase {
  const char* input;
  const char* canonical;
  std::int64_t value;
  std::int64_t milliValue;
};

TEST(QuantityTest, ParsesAndCanonicalisesLikeKubernetes) {
  const ValidCase cases[] = {
      {"0", "0", 0, 0},
      {"-0", "0", 0, 0},
      {"0Mi", "0", 0, 0},
      {"0.5", "500m", 1, 500},
      {"1000m", "1", 1, 1000},
      {"100m", "100m", 1, 100},
      {"1500m", "1500m", 2, 1500},
      {"1.5", "1500m", 2, 1500},
      {"1", "1", 1, 1000},
      {"1.", "1", 1, 1000},
      {".5", "500m", 1, 500},
      {"1024", "1024", 1024, 1024000},
      {"1k", "1k", 1000, 1000000},
      {"1000k", "1M", 1000000, 1000000000},
      {"1.5k", "1500", 1500, 1500000},
      {"1024Mi", "1Gi", 1073741824, 1073741824000},
      {"1536Mi", "1536Mi", 1610612736, 1610612736000},
      {"1.5Gi", "1536Mi", 1610612736, 1610612736000},
      {"2048Ki", "2Mi", 2097152, 2097152000},
      {"1Ki", "1Ki", 1024, 1024000},
      {"0.1Ki", "102400m", 103, 102400},
      {"512", "512", 512, 512000},
      {"1e3", "1e3", 1000, 1000000},
      {"1E3", "1e3", 1000, 1000000},
      {"12e6", "12e6", 12000000, 12000000000},
      {"1000e0", "1e3", 1000, 1000000},
      {"+1.5E-3", "1500e-6", 1, 2},
      {"1e-3", "1e-3", 1, 1},
      {"1n", "1n", 1, 1},
      {"0.1n", "1n", 1, 1},
      {"1u", "1u", 1, 1},
      {"5G", "5G", 5000000000, 5000000000000},
      {"1E", "1E", 1000000000000000000, std::numeric_limits<std::int64_t>::max()},
      {"1Ei", "1Ei", 1152921504606846976, std::numeric_limits<std::int64_t>::max()},
      {"8Ei", "9223372036854775807", std::numeric_limits<std::int64_t>::max(),
       std::numeric_limits<std::int64_t>::max()},
      {"-1.5", "-1500m", -2, -1500},
      {"-1Ki", "-1Ki", -1024, -1024000},
      {"-1.1", "-1100m", -2, -1100},
      {"1e30", "1e30", std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()},
      {"007", "7", 7, 7000},
      // Kubernetes' scanner reads an absent number as zero, so these are valid zeros.
      {"Mi", "0", 0, 0},
      {"-", "0", 0, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    const auto q = Quantity::parse(c.input);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(q->canonical(), c.canonical);
    EXPECT_EQ(q->value(), c.value);
    EXPECT_EQ(q->milliValue(), c.milliValue);
    EXPECT_EQ(q->original(), c.input);
  }
}

TEST(QuantityTest, RejectsMalformedInput) {
  const char* cases[] = {"",    "1.2.3", "1 Gi",  "1x",    "--1", "1e", "1Ki5",
                         "1i",  "1.1.M", "aoeu",  "1e+-3", "Gi1", " 1", "1 ",
                         "1mi", "1KI",   "0.1am", "1e3.5", "++1", "1-", "1e99999999999999999999"};
  for (const char* input : cases) {
    SCOPED_TRACE(input);
    EXPECT_FALSE(Quantity::parse(input).has_value());
  }
}

TEST(QuantityTest, RemembersFormat) {
  EXPECT_EQ(Quantity::parse("1Gi")->format(), Quantity::Format::kBinarySI);
  EXPECT_EQ(Quantity::parse("1G")->format(), Quantity::Format::kDecimalSI);
  EXPECT_EQ(Quantity::parse("1e9")->format(), Quantity::Format::kDecimalExponent);
  // A binary quantity below one cannot be written with a binary suffix.
  EXPECT_EQ(Quantity::parse("0.0001Ki")->format(), Quantity::Format::kDecimalSI);
}

TEST(QuantityTest, ComparesExactValues) {
  struct Case {
    const char* a;
    const char* b;
    int expected;
  };
  const Case cases[] = {
      {"1Gi", "1073741824", 0}, {"500m", "0.5", 0}, {"1", "1001m", -1},     {"2", "1999m", 1},
      {"-1", "1", -1},          {"-2", "-1", -1},   {"0", "-0", 0},         {"1e3", "1k", 0},
      {"1n", "0", 1},           {"1E", "1Ei", -1},  {"100Mi", "0.1Gi", -1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " vs " + c.b);
    const auto a = Quantity::parse(c.a);
    const auto b = Quantity::parse(c.b);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->compare(*b), c.expected);
    EXPECT_EQ(b->compare(*a), -c.expected);
  }
}

TEST(QuantityTest, SignAndZero) {
  EXPECT_TRUE(Quantity::parse("-1m")->isNegative());
  EXPECT_FALSE(Quantity::parse("-0")->isNegative());
  EXPECT_TRUE(Quantity::parse("0.000Gi")->isZero());
  EXPECT_FALSE(Quantity::parse("1n")->isZero());
}

TEST(QuantityTest, LongInputStaysExact) {
  const std::string many = "1" + std::string(30, '0') + "m";  // 1e27
  const auto q = Quantity::parse(many);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->canonical(), "1e27");  // no SI suffix beyond E
  EXPECT_EQ(q->value(), std::numeric_limits<std::int64_t>::max());
}

}  // namespace
}  // namespace daemonlet::model
