#include "agent/sources/kube_list_watch.h"

namespace daemonlet::sources {
namespace {

constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

outbound::Request getRequest(const std::string& url) {
  outbound::Request request;
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

std::string describeHttpError(long status, const std::string& body) {
  if (auto apiStatus = parseApiStatusBody(body)) return "HTTP " + describeApiStatus(*apiStatus);
  return "HTTP " + std::to_string(status);
}

}  // namespace

KubeListResult listCollection(outbound::HttpClient& client, const KubeCollection& collection, std::size_t pageSize,
                              int maxRestarts) {
  KubeListResult result;
  std::string continueToken;
  int restarts = 0;
  while (true) {
    const std::string url = kubeListUrl(collection.server, collection.path, collection.query, pageSize, continueToken);
    outbound::HttpClient::Outcome outcome = client.perform(getRequest(url));
    ++result.requests;
    result.bytesReceived += outcome.response.bytesReceived;
    if (!outcome.ok()) {
      result.error = outcome.failure.message;
      return result;
    }
    const long status = outcome.response.status;
    if (status == 410 && !continueToken.empty() && restarts < maxRestarts) {
      // The continue token expired: the pages so far belong to a snapshot that
      // is gone. Start over (API Concepts, "Retrieving large results sets in chunks").
      ++restarts;
      continueToken.clear();
      result.items.clear();
      result.resourceVersion.clear();
      continue;
    }
    if (status != 200) {
      result.httpStatus = static_cast<int>(status);
      result.error = "LIST " + url + ": " + describeHttpError(status, outcome.response.body);
      return result;
    }
    model::Json page = model::Json::parse(outcome.response.body, nullptr, /*allow_exceptions=*/false);
    if (page.is_discarded() || !page.is_object()) {
      result.error = "LIST " + url + ": the response is not a JSON object";
      return result;
    }
    auto items = page.find("items");
    if (items != page.end() && !items->is_null() && !items->is_array()) {
      result.error = "LIST " + url + ": \"items\" is not an array";
      return result;
    }
    if (items != page.end() && items->is_array()) {
      for (auto& item : *items) result.items.push_back(std::move(item));
    }
    std::string pageVersion;
    std::string next;
    auto metadata = page.find("metadata");
    if (metadata != page.end() && metadata->is_object()) {
      if (auto rv = metadata->find("resourceVersion"); rv != metadata->end() && rv->is_string()) pageVersion = rv->get<std::string>();
      if (auto token = metadata->find("continue"); token != metadata->end() && token->is_string()) next = token->get<std::string>();
    }
    if (result.resourceVersion.empty()) result.resourceVersion = pageVersion;
    if (next.empty()) break;
    continueToken = next;
  }
  if (result.resourceVersion.empty()) {
    result.error = "LIST " + collection.path + ": the response has no metadata.resourceVersion to watch from";
    return result;
  }
  result.ok = true;
  return result;
}

WatchEnd watchCollection(outbound::HttpClient& client, const KubeCollection& collection,
                         const std::string& resourceVersion, long timeoutSeconds, std::size_t maxEventBytes,
                         const std::function<void()>& onConnected,
                         const std::function<void(const WatchEvent&)>& onEvent) {
  const std::string url = kubeWatchUrl(collection.server, collection.path, collection.query, resourceVersion,
                                       timeoutSeconds);
  WatchEnd end;
  long httpStatus = 0;
  std::string errorBody;
  bool stoppedByUs = false;
  WatchLineSplitter splitter(maxEventBytes);
  std::vector<std::string> lines;

  auto onHeaders = [&](long status) {
    httpStatus = status;
    if (status == 200 && onConnected) onConnected();
  };
  auto onData = [&](std::string_view chunk) -> bool {
    if (httpStatus != 200) {
      if (errorBody.size() < kMaxErrorBodyBytes) errorBody.append(chunk.substr(0, kMaxErrorBodyBytes - errorBody.size()));
      return true;
    }
    lines.clear();
    if (!splitter.feed(chunk, lines)) {
      end = WatchEnd{WatchEndKind::kFailed, "WATCH " + url + ": an event is larger than " +
                                                std::to_string(maxEventBytes) + " bytes", end.events, 0};
      stoppedByUs = true;
      return false;
    }
    for (const std::string& line : lines) {
      auto event = parseWatchEvent(line);
      if (!event) {
        end = WatchEnd{WatchEndKind::kFailed, "WATCH " + url + ": " + event.error().message, end.events, 0};
        stoppedByUs = true;
        return false;
      }
      if (event->type == WatchEventType::kError) {
        auto status = parseApiStatus(event->object);
        const int code = status ? status->code : 0;
        const std::string what = status ? describeApiStatus(*status) : std::string("ERROR event without a Status");
        WatchEndKind kind = WatchEndKind::kRelist;
        if (code == 410) kind = WatchEndKind::kExpired;
        else if (code == 429 || code >= 500) kind = WatchEndKind::kFailed;
        end = WatchEnd{kind, "WATCH " + url + ": ERROR " + what, end.events, 0};
        stoppedByUs = true;
        return false;
      }
      ++end.events;
      onEvent(*event);
    }
    return true;
  };

  outbound::HttpClient::Outcome outcome = client.stream(getRequest(url), onHeaders, onData);
  end.bytesReceived = outcome.response.bytesReceived;
  if (stoppedByUs) return end;
  if (!outcome.ok()) {
    if (outcome.failure.kind == outbound::FailureKind::kCancelled) {
      end.kind = WatchEndKind::kCancelled;
    } else if (httpStatus == 200) {
      // A 200 stream that stalls or is cut is the "dropped stream" case: resume.
      end.kind = WatchEndKind::kClosed;
    } else {
      end.kind = WatchEndKind::kFailed;
    }
    end.message = outcome.failure.message;
    return end;
  }
  if (httpStatus == 410) {
    end.kind = WatchEndKind::kExpired;
  } else if (httpStatus != 200) {
    end.kind = WatchEndKind::kFailed;
  } else {
    end.kind = WatchEndKind::kClosed;
    end.message = "WATCH " + url + ": the server ended the stream";
    return end;
  }
  end.message = "WATCH " + url + ": " + describeHttpError(httpStatus, errorBody);
  return end;
}

}  // namespace daemonlet::sources
