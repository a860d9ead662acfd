#pragma once
// Collects NodeReports for `daemonlet fleet status` from a directory or from an
// HTTP(S) directory listing.
//
// Which files are reports (the same rule for both):
// - a file named `*.json` or exactly `status` (what a WebDAV PUT to
//   .../nodes/<node>/status leaves) must be a NodeReport: if it is not, it is
//   listed as a problem and skipped;
// - any other file counts when its content is a JSON object of kind NodeReport
//   (then it must be a valid one), and is ignored silently otherwise;
// - names starting with "." (editor and upload temporaries) are skipped, and
//   directories are searched recursively (at most kMaxDepth levels).
// A URL must serve nginx's `autoindex_format json` listing (an array of
// {name, type: "file"|"directory"}); a URL that serves one NodeReport instead
// is read as that single report.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/outbound/http_client.h"
#include "agent/status/node_report.h"

namespace daemonlet::fleet {

inline constexpr int kMaxReportDepth = 8;
inline constexpr std::uintmax_t kMaxReportBytes = 16u << 20;

struct CollectedReports {
  std::vector<status::NodeReport> reports;
  std::vector<std::string> problems;  // "FILE-OR-URL: what is wrong"
};

CollectedReports collectReportsFromDirectory(const std::filesystem::path& directory);
CollectedReports collectReportsFromUrl(const std::string& url, const outbound::ClientSettings& settings);

// True when `name` must be a report (see above).
bool isReportFileName(const std::string& name);

}  // namespace daemonlet::fleet
