#include "agent/prober/probe_grpc.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "agent/prober/probe_blocking.h"
#include "agent/prober/probe_curl.h"

namespace daemonlet::prober {
namespace {

constexpr std::size_t kMaxResponseBytes = 4096;
constexpr std::int64_t kServing = 1;  // grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING

void appendVarint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::optional<std::uint64_t> readVarint(const std::string& in, std::size_t& pos) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    auto byte = static_cast<unsigned char>(in[pos++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

struct GrpcExchange {
  std::string body;
  std::string grpcStatus;  // from the headers or the trailers
  std::string grpcMessage;
};

std::size_t collectBody(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* exchange = static_cast<GrpcExchange*>(userdata);
  std::size_t bytes = size * count;
  if (exchange->body.size() + bytes > kMaxResponseBytes) return 0;
  exchange->body.append(data, bytes);
  return bytes;
}

std::string trim(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

// libcurl hands HTTP/2 trailers to the header callback too, which is where a
// normal gRPC response carries grpc-status.
std::size_t collectHeader(char* data, std::size_t size, std::size_t count, void* userdata) {
  auto* exchange = static_cast<GrpcExchange*>(userdata);
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "grpc-status") exchange->grpcStatus = trim(line.substr(colon + 1));
    if (name == "grpc-message") exchange->grpcMessage = trim(line.substr(colon + 1));
  }
  return size * count;
}

}  // namespace

std::string encodeHealthCheckRequest(const std::string& service) {
  std::string message;
  if (!service.empty()) {     // proto3: an empty string field is not sent
    message.push_back(0x0a);  // field 1 (service), wire type 2 (length-delimited)
    appendVarint(message, service.size());
    message += service;
  }
  std::string framed;
  framed.push_back(0);  // not compressed
  auto length = static_cast<std::uint32_t>(message.size());
  for (int shift = 24; shift >= 0; shift -= 8) framed.push_back(static_cast<char>((length >> shift) & 0xff));
  return framed + message;
}

std::optional<std::int64_t> decodeHealthCheckStatus(const std::string& body) {
  if (body.size() < 5 || body[0] != 0) return std::nullopt;
  std::uint32_t length = 0;
  for (int i = 1; i <= 4; ++i) length = (length << 8) | static_cast<unsigned char>(body[i]);
  if (body.size() < 5 + static_cast<std::size_t>(length)) return std::nullopt;
  std::string message = body.substr(5, length);
  std::int64_t status = 0;  // proto3 default: UNKNOWN
  std::size_t pos = 0;
  while (pos < message.size()) {
    auto tag = readVarint(message, pos);
    if (!tag) return std::nullopt;
    std::uint64_t wireType = *tag & 0x7;
    if (*tag == 0x08) {  // field 1 (status), varint
      auto value = readVarint(message, pos);
      if (!value) return std::nullopt;
      status = static_cast<std::int64_t>(*value);
    } else if (wireType == 0) {
      if (!readVarint(message, pos)) return std::nullopt;
    } else if (wireType == 2) {
      auto skip = readVarint(message, pos);
      if (!skip || *skip > message.size() - pos) return std::nullopt;
      pos += *skip;
    } else {
      return std::nullopt;  // HealthCheckResponse has no fixed-width fields
    }
  }
  return status;
}

ProbeOutcome runGrpcProbe(const GrpcProbeRequest& request, ProbeTimeout timeout,
                          const std::atomic<bool>& cancelled) {
  std::string url =
      "http://" + urlHost(request.host) + ":" + std::to_string(request.port) + "/grpc.health.v1.Health/Check";
  const auto& library = probeCurl();
  if (!library) return {false, "gRPC probe cannot run: " + library.error().describe()};
  const outbound::CurlLibrary& curl = *library;
  CurlEasy handle = newProbeHandle(url, timeout, cancelled);
  if (!handle) return {false, "curl_easy_init failed"};
  CurlList headers;
  for (const char* line : {"Content-Type: application/grpc", "TE: trailers", "Expect:"}) {
    if (!appendCurlHeader(headers, line)) return {false, "out of memory building headers"};
  }
  if (!appendCurlHeader(headers, "grpc-timeout: " + std::to_string(timeout.count()) + "m")) {
    return {false, "out of memory building headers"};
  }
  std::string payload = encodeHealthCheckRequest(request.service);
  GrpcExchange exchange;
  CURL* h = handle.get();
  curl.easySetopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
  curl.easySetopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl.easySetopt(h, CURLOPT_USERAGENT, kProbeUserAgent);
  curl.easySetopt(h, CURLOPT_POST, 1L);
  curl.easySetopt(h, CURLOPT_POSTFIELDS, payload.data());
  curl.easySetopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  curl.easySetopt(h, CURLOPT_WRITEFUNCTION, &collectBody);
  curl.easySetopt(h, CURLOPT_WRITEDATA, &exchange);
  curl.easySetopt(h, CURLOPT_HEADERFUNCTION, &collectHeader);
  curl.easySetopt(h, CURLOPT_HEADERDATA, &exchange);

  CURLcode code = curl.easyPerform(h);
  if (code == CURLE_OPERATION_TIMEDOUT) return {false, "timed out"};
  if (code == CURLE_ABORTED_BY_CALLBACK) return {false, "cancelled"};
  if (code != CURLE_OK) return {false, std::string("gRPC health check failed: ") + curl.easyStrerror(code)};
  long httpStatus = 0;
  curl.easyGetinfo(h, CURLINFO_RESPONSE_CODE, &httpStatus);
  if (httpStatus != 200) return {false, "gRPC health check got HTTP status " + std::to_string(httpStatus)};
  if (exchange.grpcStatus == "12") {  // UNIMPLEMENTED
    return {false, "the server does not implement the gRPC health protocol (grpc.health.v1.Health)"};
  }
  if (exchange.grpcStatus != "0") {
    return {false, "gRPC health check failed with grpc-status " +
                       (exchange.grpcStatus.empty() ? std::string("(missing)") : exchange.grpcStatus) +
                       (exchange.grpcMessage.empty() ? std::string() : ": " + exchange.grpcMessage)};
  }
  auto status = decodeHealthCheckStatus(exchange.body);
  if (!status) return {false, "malformed gRPC health check response"};
  if (*status != kServing) return {false, "service unhealthy (status " + std::to_string(*status) + ")"};
  return {true, {}};
}

std::shared_ptr<ProbeAttempt> startGrpcAttempt(boost::asio::io_context& io, loop::BlockingPool& pool,
                                               GrpcProbeRequest request, ProbeTimeout timeout,
                                               ProbeCallback done) {
  return startBlockingAttempt(
      io, pool,
      [request = std::move(request), timeout](const std::atomic<bool>& cancelled) {
        return runGrpcProbe(request, timeout, cancelled);
      },
      std::move(done));
}

}  // namespace daemonlet::prober
