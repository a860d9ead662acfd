#pragma once
// A pod's DNS settings as the kubelet derives them (pkg/kubelet/network/dns):
//   - dnsPolicy ClusterFirst (the default) on a non-hostNetwork pod and
//     ClusterFirstWithHostNet want the cluster's DNS service. A static node has
//     no cluster DNS, and the kubelet configured without clusterDNS falls back
//     to Default, so these do too;
//   - ClusterFirst on a hostNetwork pod, and Default: the node's resolv.conf;
//   - None: only what spec.dnsConfig gives.
// Then spec.dnsConfig is merged in: nameservers and searches appended (duplicates
// dropped, searches kept to 32, nameservers to 3 as the kubelet limits them), options
// overriding same-named ones.
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::runtime::cri {

// The node's resolver configuration (resolv.conf's nameserver, search and
// options lines).
struct HostDns {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};

// Parses resolv.conf text; unknown lines and comments are ignored as the
// resolver does.
HostDns parseResolvConf(const std::string& text);
// Reads and parses a resolv.conf file; a missing file is an error naming it.
base::Result<HostDns> readHostDns(const std::string& path);

struct PodDns {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};

// The pod's DNS. `rawPodSpec` supplies spec.dnsConfig (kept in raw JSON only);
// null: none. Errors name the field (spec.dnsConfig.options[1].name).
base::Result<PodDns> podDns(const model::PodSpec& spec, const model::Json* rawPodSpec, const HostDns& host);

}  // namespace daemonlet::runtime::cri
