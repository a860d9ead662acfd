#pragma once
// Renders the nginx.conf behind NginxServer (see nginx_server.h for what each
// location does). Pure text: no I/O, so the config is easy to read in one place.
#include <filesystem>
#include <string>

namespace daemonlet::testing {

struct NginxConfigInput {
  std::filesystem::path root;  // prefix: logs, pid, temp paths, tls/
  std::filesystem::path docroot;
  std::filesystem::path reportsDir;
  int httpPort = 0;
  int httpsPort = 0;
  int upstreamPort = 0;  // the FaultUpstream
  std::string token;
  int workerProcesses = 1;
  int workerConnections = 1024;
  bool gzip = true;
  bool asRoot = false;          // workers must run as root to read a 0700 temp dir
  std::string fault;            // "", "500", "slow", "hang", "truncated", "garbage"
  std::string reportsFault;     // the same for the report locations
  int generation = 0;           // served at /__fixture/generation: tells a reload landed
};

std::string renderNginxConfig(const NginxConfigInput& in);

}  // namespace daemonlet::testing
