// Reads node reports from a directory tree or an nginx JSON directory listing
// (the rules are in fleet_reports.h).
#include "agent/fleet/fleet_reports.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace daemonlet::fleet {
namespace {

using model::Json;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool hiddenName(const std::string& name) { return !name.empty() && name[0] == '.'; }

// Applies the naming rule to one document already read.
void consider(const std::string& name, const std::string& origin, const std::string& content,
              CollectedReports& out) {
  if (!isReportFileName(name)) {
    // Not named as a report: only a document that says it is one counts.
    Json json = Json::parse(content, nullptr, false);
    if (json.is_discarded() || !json.is_object() ||
        json.value("kind", Json()) != std::string(status::kNodeReportKind)) {
      return;
    }
  }
  auto report = status::parseNodeReport(content, origin);
  if (report) {
    out.reports.push_back(std::move(*report));
  } else {
    out.problems.push_back(report.error().describe());
  }
}

void walkDirectory(const std::filesystem::path& directory, int depth, CollectedReports& out) {
  std::error_code ec;
  std::filesystem::directory_iterator it(directory, ec);
  if (ec) {
    out.problems.push_back(directory.string() + ": " + ec.message());
    return;
  }
  std::vector<std::filesystem::directory_entry> entries;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (hiddenName(name)) continue;
    if (entry.is_directory(ec)) {
      if (depth < kMaxReportDepth) walkDirectory(entry.path(), depth + 1, out);
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    const std::string origin = entry.path().string();
    const std::uintmax_t size = entry.file_size(ec);
    if (ec || size > kMaxReportBytes) {
      if (isReportFileName(name))
        out.problems.push_back(origin + ": " + (ec ? ec.message() : "larger than 16 MiB"));
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) {
      if (isReportFileName(name)) out.problems.push_back(origin + ": cannot read");
      continue;
    }
    consider(name, origin, content.str(), out);
  }
}

std::string describe(const outbound::HttpClient::Outcome& outcome) {
  if (!outcome.ok())
    return std::string(outbound::failureKindName(outcome.failure.kind)) + ": " + outcome.failure.message;
  return "HTTP " + std::to_string(outcome.response.status);
}

// One URL path segment, percent-encoded (the URL-template helper encodes
// exactly that way).
std::string encodeSegment(const std::string& name) { return outbound::expandUrlTemplate("{node}", name); }

void walkListing(outbound::HttpClient& client, std::string url, int depth, CollectedReports& out) {
  outbound::Request request;
  request.url = url;
  const auto outcome = client.perform(request);
  if (!outcome.ok() || outcome.response.status != 200) {
    out.problems.push_back(url + ": " + describe(outcome));
    return;
  }
  Json listing = Json::parse(outcome.response.body, nullptr, false);
  if (listing.is_object()) {  // the URL named one report, not a directory
    consider("status", url, outcome.response.body, out);
    return;
  }
  if (!listing.is_array()) {
    out.problems.push_back(url +
                           ": not a JSON directory listing (nginx autoindex_format json) or a NodeReport");
    return;
  }
  // Entries are relative to the directory: "DIR" was redirected to "DIR/" or means it.
  if (!endsWith(url, "/"))
    url = endsWith(outcome.response.effectiveUrl, "/") ? outcome.response.effectiveUrl : url + "/";
  for (const auto& entry : listing) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) continue;
    const std::string name = entry["name"].get<std::string>();
    const std::string type =
        entry.value("type", Json()).is_string() ? entry["type"].get<std::string>() : "file";
    if (hiddenName(name) || name == "..") continue;
    if (type == "directory") {
      if (depth < kMaxReportDepth) walkListing(client, url + encodeSegment(name) + "/", depth + 1, out);
      continue;
    }
    if (type != "file") continue;
    const std::string fileUrl = url + encodeSegment(name);
    outbound::Request get;
    get.url = fileUrl;
    const auto file = client.perform(get);
    if (!file.ok() || file.response.status != 200) {
      if (isReportFileName(name)) out.problems.push_back(fileUrl + ": " + describe(file));
      continue;
    }
    consider(name, fileUrl, file.response.body, out);
  }
}

}  // namespace

bool isReportFileName(const std::string& name) { return name == "status" || endsWith(name, ".json"); }

CollectedReports collectReportsFromDirectory(const std::filesystem::path& directory) {
  CollectedReports out;
  std::error_code ec;
  if (std::filesystem::is_regular_file(directory, ec)) {  // one report file named directly
    std::ifstream in(directory, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    consider("status", directory.string(), content.str(), out);
    return out;
  }
  walkDirectory(directory, 0, out);
  return out;
}

CollectedReports collectReportsFromUrl(const std::string& url, const outbound::ClientSettings& settings) {
  CollectedReports out;
  outbound::HttpClient client(settings);
  walkListing(client, url, 0, out);
  return out;
}

}  // namespace daemonlet::fleet
