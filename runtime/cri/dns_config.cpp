#include "runtime/cri/dns_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "runtime/cri/raw_pod_fields.h"
#include "runtime/cri/invalid_field.h"

namespace daemonlet::runtime::cri {
namespace {

// The resolver's limits the kubelet enforces (validation.MaxDNSNameservers,
// MaxDNSSearchPaths): more would be silently ignored by glibc.
constexpr std::size_t kMaxNameservers = 3;
constexpr std::size_t kMaxSearches = 32;

std::vector<std::string> fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

void appendUnique(std::vector<std::string>& into, const std::vector<std::string>& values) {
  for (const auto& v : values) {
    if (std::find(into.begin(), into.end(), v) == into.end()) into.push_back(v);
  }
}

std::string optionName(const std::string& option) { return option.substr(0, option.find(':')); }

// Options from spec.dnsConfig replace same-named ones ("ndots:5" by "ndots:2").
void mergeOptions(std::vector<std::string>& into, const std::vector<std::string>& overrides) {
  for (const auto& option : overrides) {
    auto same = std::find_if(into.begin(), into.end(),
                             [&](const std::string& o) { return optionName(o) == optionName(option); });
    if (same != into.end()) {
      *same = option;
    } else {
      into.push_back(option);
    }
  }
}

base::Status readStrings(const model::Json* list, const std::string& field, std::vector<std::string>& out) {
  if (!list) return base::Ok{};
  if (!list->is_array()) return invalidField(field, "must be a list of strings");
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_string()) return invalidField(field + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back((*list)[i].get<std::string>());
  }
  return base::Ok{};
}

// spec.dnsConfig.options: [{name, value?}] → "name" or "name:value".
base::Status readOptions(const model::Json* list, std::vector<std::string>& out) {
  const std::string field = "spec.dnsConfig.options";
  if (!list) return base::Ok{};
  if (!list->is_array()) return invalidField(field, "must be a list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    const model::Json* name = rawMember(&(*list)[i], "name");
    if (!name || !name->is_string() || name->get<std::string>().empty()) return invalidField(at + ".name", "Required value");
    std::string option = name->get<std::string>();
    if (const model::Json* value = rawMember(&(*list)[i], "value")) {
      if (!value->is_string()) return invalidField(at + ".value", "must be a string");
      option += ":" + value->get<std::string>();
    }
    out.push_back(option);
  }
  return base::Ok{};
}

}  // namespace

HostDns parseResolvConf(const std::string& text) {
  HostDns dns;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find_first_of("#;"));
    const auto words = fields(line);
    if (words.empty()) continue;
    if (words[0] == "nameserver" && words.size() > 1) {
      dns.servers.push_back(words[1]);
    } else if (words[0] == "search") {
      // The last search line wins, as for the resolver; "." is no domain.
      dns.searches.clear();
      for (std::size_t i = 1; i < words.size(); ++i) {
        std::string domain = words[i];
        if (domain == ".") continue;
        if (domain.size() > 1 && domain.back() == '.') domain.pop_back();
        dns.searches.push_back(domain);
      }
    } else if (words[0] == "options") {
      mergeOptions(dns.options, std::vector<std::string>(words.begin() + 1, words.end()));
    }
  }
  return dns;
}

base::Result<HostDns> readHostDns(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::makeError(base::ErrorCode::kIo, "cannot read the node's resolver configuration", path);
  std::stringstream text;
  text << in.rdbuf();
  return parseResolvConf(text.str());
}

base::Result<PodDns> podDns(const model::PodSpec& spec, const model::Json* rawPodSpec, const HostDns& host) {
  PodDns dns;
  // ClusterFirst, ClusterFirstWithHostNet and Default all end at the node's
  // resolver here (no cluster DNS); only None starts empty.
  const std::string policy = spec.dnsPolicy.empty() ? "ClusterFirst" : spec.dnsPolicy;
  if (policy != "None") {
    dns.servers = host.servers;
    dns.searches = host.searches;
    dns.options = host.options;
  }
  const model::Json* config = rawMember(rawPodSpec, "dnsConfig");
  if (config && !config->is_object()) return invalidField("spec.dnsConfig", "must be an object");
  std::vector<std::string> servers, searches, options;
  if (auto s = readStrings(rawMember(config, "nameservers"), "spec.dnsConfig.nameservers", servers); !s) return s.error();
  if (auto s = readStrings(rawMember(config, "searches"), "spec.dnsConfig.searches", searches); !s) return s.error();
  if (auto s = readOptions(rawMember(config, "options"), options); !s) return s.error();
  if (policy == "None" && servers.empty() && searches.empty() && options.empty() && !config) {
    return invalidField("spec.dnsConfig", "Required value: must provide `dnsConfig` when `dnsPolicy` is None");
  }
  appendUnique(dns.servers, servers);
  appendUnique(dns.searches, searches);
  mergeOptions(dns.options, options);
  if (dns.servers.size() > kMaxNameservers) dns.servers.resize(kMaxNameservers);
  if (dns.searches.size() > kMaxSearches) dns.searches.resize(kMaxSearches);
  return dns;
}

}  // namespace daemonlet::runtime::cri
