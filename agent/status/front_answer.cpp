#include "agent/status/front_answer.h"

#include "agent/model/types.h"

namespace daemonlet::status {
namespace {

struct Reason {
  const char* phrase;  // HTTP reason phrase
  const char* kubernetes;  // metav1.StatusReason
};

Reason reasonFor(int status) {
  switch (status) {
    case 401: return {"Unauthorized", "Unauthorized"};
    case 408: return {"Request Timeout", "Timeout"};
    case 411: return {"Length Required", "BadRequest"};
    case 413: return {"Payload Too Large", "RequestEntityTooLarge"};
    case 414: return {"URI Too Long", "BadRequest"};
    case 429: return {"Too Many Requests", "TooManyRequests"};
    case 431: return {"Request Header Fields Too Large", "BadRequest"};
    case 505: return {"HTTP Version Not Supported", "BadRequest"};
    default: return {"Bad Request", "BadRequest"};
  }
}

}  // namespace

std::string frontAnswer(int status, const std::string& message) {
  Reason reason = reasonFor(status);
  model::Json body = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", model::Json::object()},
                      {"status", "Failure"}, {"message", message}, {"reason", reason.kubernetes},
                      {"code", status}};
  std::string text = body.dump(2) + "\n";
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason.phrase + "\r\n";
  head += "Content-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) + "\r\n";
  if (status == 401) head += "WWW-Authenticate: Bearer\r\n";
  if (status == 429) head += "Retry-After: 1\r\n";
  head += "Connection: close\r\n\r\n";
  return head + text;
}

}  // namespace daemonlet::status
