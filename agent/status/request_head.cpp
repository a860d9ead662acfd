#include "agent/status/request_head.h"

#include <algorithm>
#include <cctype>

namespace daemonlet::status {
namespace {

ScanResult refuse(int status, std::string reason) {
  ScanResult result;
  result.state = ScanState::kRefused;
  result.status = status;
  result.reason = std::move(reason);
  return result;
}

// RFC 9110 tchar: the characters of a method and a field name.
bool isTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar); }

// Field values: visible characters, spaces, tabs and obs-text; never CR, LF or NUL.
bool isFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

std::string_view trimWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// One line without its LF and optional CR.
std::string_view lineAt(std::string_view buffer, std::size_t begin, std::size_t lf) {
  std::string_view line = buffer.substr(begin, lf - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::optional<ScanResult> parseRequestLine(std::string_view line, RequestHead& head) {
  auto firstSpace = line.find(' ');
  auto lastSpace = line.rfind(' ');
  if (firstSpace == std::string_view::npos || firstSpace == lastSpace) {
    return refuse(400, "malformed request line");
  }
  std::string_view method = line.substr(0, firstSpace);
  std::string_view target = line.substr(firstSpace + 1, lastSpace - firstSpace - 1);
  std::string_view version = line.substr(lastSpace + 1);
  if (!isToken(method)) return refuse(400, "malformed request method");
  if (target.empty() || target.find_first_of(" \t") != std::string_view::npos || !isFieldValue(target)) {
    return refuse(400, "malformed request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return version.rfind("HTTP/", 0) == 0 ? refuse(505, "only HTTP/1.0 and HTTP/1.1 are served")
                                           : refuse(400, "malformed HTTP version");
  }
  head.method = method;
  head.target = target;
  return std::nullopt;
}

std::optional<ScanResult> parseField(std::string_view line, RequestHead& head) {
  if (line.front() == ' ' || line.front() == '\t') return refuse(400, "obsolete line folding is not accepted");
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return refuse(400, "header field without a colon");
  std::string_view name = line.substr(0, colon);
  std::string_view value = trimWhitespace(line.substr(colon + 1));
  if (!isToken(name)) return refuse(400, "malformed header field name");
  if (!isFieldValue(value)) return refuse(400, "control character in a header field value");

  if (equalsIgnoringCase(name, "Content-Length")) {
    if (value.empty() || value.size() > 18 || !std::all_of(value.begin(), value.end(), [](char c) {
          return c >= '0' && c <= '9';
        })) {
      return refuse(400, "malformed Content-Length");
    }
    std::uint64_t length = std::stoull(std::string(value));
    if (head.contentLength && *head.contentLength != length) return refuse(400, "conflicting Content-Length fields");
    head.contentLength = length;
  } else if (equalsIgnoringCase(name, "Transfer-Encoding")) {
    head.transferEncoding = true;
  } else if (equalsIgnoringCase(name, "Expect")) {
    head.expectContinue = equalsIgnoringCase(value, "100-continue");
  } else if (equalsIgnoringCase(name, "Authorization")) {
    if (head.authorization) return refuse(400, "more than one Authorization field");
    head.authorization = std::string(value);
  }
  return std::nullopt;
}

}  // namespace

ScanResult RequestHeadScanner::scan(std::string_view buffer) {
  // Count the complete lines that arrived since the last call.
  for (;;) {
    auto lf = buffer.find('\n', scanned_);
    if (lf == std::string_view::npos) break;
    std::size_t begin = scanned_;
    scanned_ = lf + 1;
    std::string_view line = lineAt(buffer, begin, lf);
    if (lines_ == 0 && line.empty()) {
      headStart_ = scanned_;  // empty lines before the request line are skipped
      continue;
    }
    if (lines_ == 0 && line.size() > limits_.maxRequestLineBytes) return refuse(414, "request line too long");
    if (line.empty()) return parse(buffer.substr(headStart_, scanned_ - headStart_), scanned_);
    if (++lines_ > limits_.maxHeaderFields + 1) return refuse(431, "too many header fields");
    if (scanned_ > limits_.maxHeadBytes) return refuse(431, "request head too large");
  }
  // The line still arriving counts against the limits too.
  if (lines_ == 0 && buffer.size() - scanned_ > limits_.maxRequestLineBytes) {
    return refuse(414, "request line too long");
  }
  if (buffer.size() > limits_.maxHeadBytes) return refuse(431, "request head too large");
  return {};
}

ScanResult RequestHeadScanner::parse(std::string_view head, std::size_t headBytes) const {
  ScanResult result;
  result.head.headBytes = headBytes;
  std::size_t begin = 0;
  bool first = true;
  for (;;) {
    auto lf = head.find('\n', begin);
    if (lf == std::string_view::npos) break;
    std::string_view line = lineAt(head, begin, lf);
    begin = lf + 1;
    if (line.empty()) break;
    auto refused = first ? parseRequestLine(line, result.head) : parseField(line, result.head);
    if (refused) return *refused;
    first = false;
  }
  result.state = ScanState::kComplete;
  return result;
}

}  // namespace daemonlet::status
