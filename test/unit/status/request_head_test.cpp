// The API front's head scanner: limits hold while bytes arrive, the head's
// fields the front decides on are read, malformed heads are refused.
#include "agent/status/request_head.h"

#include <gtest/gtest.h>

namespace daemonlet::status {
namespace {

ScanResult scanAll(const std::string& bytes, HeadLimits limits = {}) {
  RequestHeadScanner scanner(limits);
  return scanner.scan(bytes);
}

TEST(RequestHeadTest, CompleteHeadWithTheFieldsTheFrontNeeds) {
  std::string head =
      "DELETE /api/v1/namespaces/a/pods/b HTTP/1.1\r\nHost: x\r\ncontent-length: 12\r\n"
      "AUTHORIZATION:  bearer abc \r\nExpect: 100-Continue\r\n\r\n";
  auto result = scanAll(head + "{\"a\":\"body\"}");
  ASSERT_EQ(result.state, ScanState::kComplete) << result.reason;
  EXPECT_EQ(result.head.method, "DELETE");
  EXPECT_EQ(result.head.target, "/api/v1/namespaces/a/pods/b");
  EXPECT_EQ(result.head.headBytes, head.size());
  EXPECT_EQ(result.head.contentLength, 12u);
  EXPECT_EQ(result.head.authorization, "bearer abc");
  EXPECT_TRUE(result.head.expectContinue);
  EXPECT_FALSE(result.head.transferEncoding);
}

TEST(RequestHeadTest, ByteByByteIsTheSameAsAtOnce) {
  std::string head = "\r\nGET /livez HTTP/1.0\nHost: x\n\n";  // a leading empty line and bare LFs are tolerated
  RequestHeadScanner scanner;
  std::string buffer;
  ScanResult result;
  for (char c : head) {
    buffer.push_back(c);
    result = scanner.scan(buffer);
    if (buffer.size() < head.size()) {
      ASSERT_EQ(result.state, ScanState::kIncomplete) << buffer.size();
    }
  }
  ASSERT_EQ(result.state, ScanState::kComplete) << result.reason;
  EXPECT_EQ(result.head.target, "/livez");
  EXPECT_EQ(result.head.headBytes, head.size());
  EXPECT_FALSE(result.head.contentLength.has_value());
}

TEST(RequestHeadTest, LimitsHoldBeforeTheHeadEnds) {
  HeadLimits limits;
  limits.maxHeadBytes = 1024;
  limits.maxRequestLineBytes = 256;
  limits.maxHeaderFields = 4;
  struct Case {
    const char* what;
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases = {
      {"too many fields, head not finished", "GET / HTTP/1.1\r\nA: b\r\nA: b\r\nA: b\r\nA: b\r\nA: b\r\n", 431},
      {"one endless field", "GET / HTTP/1.1\r\nX: " + std::string(2000, 'v'), 431},
      {"endless request line", "GET /" + std::string(300, 'a'), 414},
      {"long request line, complete", "GET /" + std::string(300, 'a') + " HTTP/1.1\r\n\r\n", 414},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto result = scanAll(c.bytes, limits);
    ASSERT_EQ(result.state, ScanState::kRefused);
    EXPECT_EQ(result.status, c.status) << result.reason;
  }
}

TEST(RequestHeadTest, HundredThousandHeadersAreRefusedEarly) {
  RequestHeadScanner scanner;
  std::string buffer = "GET /livez HTTP/1.1\r\n";
  ScanResult result;
  for (int i = 0; i < 100000 && result.state == ScanState::kIncomplete; ++i) {
    buffer += "X-H" + std::to_string(i) + ": v\r\n";
    result = scanner.scan(buffer);
  }
  ASSERT_EQ(result.state, ScanState::kRefused);
  EXPECT_EQ(result.status, 431);
  EXPECT_LT(buffer.size(), 16u * 1024) << "refused only after reading " << buffer.size() << " bytes";
}

TEST(RequestHeadTest, MalformedHeadsAreRefused) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"GET /\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / FTP/1.0\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nBad name: v\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n", 400},
  };
  for (const auto& [bytes, status] : cases) {
    SCOPED_TRACE(bytes);
    auto result = scanAll(bytes);
    ASSERT_EQ(result.state, ScanState::kRefused);
    EXPECT_EQ(result.status, status) << result.reason;
  }
}

TEST(RequestHeadTest, TransferEncodingIsReported) {
  auto result = scanAll("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_EQ(result.state, ScanState::kComplete);
  EXPECT_TRUE(result.head.transferEncoding);
}

}  // namespace
}  // namespace daemonlet::status
