// A pod's DNS from its dnsPolicy and dnsConfig and the node's resolv.conf, as
// the kubelet derives it without cluster DNS.
#include "runtime/cri/dns_config.h"

#include <gtest/gtest.h>

namespace daemonlet::runtime::cri {
namespace {

using Strings = std::vector<std::string>;

const char* const kResolvConf =
    "# generated\n"
    "nameserver 10.0.0.2\n"
    "nameserver 10.0.0.3 ; trailing comment\n"
    "search old.example\n"
    "search corp.example. lab.example .\n"
    "options ndots:2 timeout:1\n"
    "options ndots:3\n"
    "sortlist 10.0.0.0\n";

TEST(DnsConfigTest, ParsesResolvConfAsTheResolverReadsIt) {
  HostDns dns = parseResolvConf(kResolvConf);
  EXPECT_EQ(dns.servers, (Strings{"10.0.0.2", "10.0.0.3"}));
  EXPECT_EQ(dns.searches, (Strings{"corp.example", "lab.example"}));  // the last search line wins
  EXPECT_EQ(dns.options, (Strings{"ndots:3", "timeout:1"}));
}

TEST(DnsConfigTest, PolicyAndDnsConfigMerge) {
  const HostDns host = parseResolvConf(kResolvConf);
  struct Row {
    const char* name;
    std::string policy;
    bool hostNetwork;
    const char* dnsConfig;  // JSON, or null
    Strings servers, searches, options;
  };
  const Strings hostServers{"10.0.0.2", "10.0.0.3"};
  const Strings hostSearches{"corp.example", "lab.example"};
  const Strings hostOptions{"ndots:3", "timeout:1"};
  const std::vector<Row> rows = {
      {"ClusterFirst without cluster DNS falls back to the node", "ClusterFirst", false, nullptr, hostServers,
       hostSearches, hostOptions},
      {"unset policy is ClusterFirst", "", false, nullptr, hostServers, hostSearches, hostOptions},
      {"ClusterFirst on the host network", "ClusterFirst", true, nullptr, hostServers, hostSearches, hostOptions},
      {"ClusterFirstWithHostNet", "ClusterFirstWithHostNet", true, nullptr, hostServers, hostSearches, hostOptions},
      {"Default", "Default", false, nullptr, hostServers, hostSearches, hostOptions},
      {"None takes only dnsConfig", "None", false,
       R"({"nameservers": ["1.1.1.1"], "searches": ["a.example"], "options": [{"name": "ndots", "value": "1"}]})",
       {"1.1.1.1"}, {"a.example"}, {"ndots:1"}},
      {"dnsConfig appends without duplicates and overrides options", "Default", false,
       R"({"nameservers": ["10.0.0.3", "1.1.1.1", "8.8.8.8"], "searches": ["lab.example", "x.example"],
           "options": [{"name": "ndots", "value": "5"}, {"name": "edns0"}]})",
       {"10.0.0.2", "10.0.0.3", "1.1.1.1"},  // three at most, as the resolver reads
       {"corp.example", "lab.example", "x.example"}, {"ndots:5", "timeout:1", "edns0"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    model::PodSpec spec;
    spec.dnsPolicy = row.policy;
    spec.hostNetwork = row.hostNetwork;
    model::Json raw = model::Json::object();
    if (row.dnsConfig) raw["dnsConfig"] = model::Json::parse(row.dnsConfig);
    auto dns = podDns(spec, &raw, host);
    ASSERT_TRUE(dns) << dns.error().describe();
    EXPECT_EQ(dns->servers, row.servers);
    EXPECT_EQ(dns->searches, row.searches);
    EXPECT_EQ(dns->options, row.options);
  }
}

TEST(DnsConfigTest, ErrorsNameTheField) {
  struct Row {
    std::string policy;
    const char* dnsConfig;
    const char* field;
  };
  const Row rows[] = {
      {"None", nullptr, "spec.dnsConfig"},
      {"Default", R"([])", "spec.dnsConfig"},
      {"Default", R"({"nameservers": "1.1.1.1"})", "spec.dnsConfig.nameservers"},
      {"Default", R"({"searches": [1]})", "spec.dnsConfig.searches[0]"},
      {"Default", R"({"options": [{"name": "a"}, {"value": "1"}]})", "spec.dnsConfig.options[1].name"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.field);
    model::PodSpec spec;
    spec.dnsPolicy = row.policy;
    model::Json raw = model::Json::object();
    if (row.dnsConfig) raw["dnsConfig"] = model::Json::parse(row.dnsConfig);
    auto dns = podDns(spec, &raw, HostDns{});
    ASSERT_FALSE(dns);
    EXPECT_EQ(dns.error().context, row.field);
  }
}

TEST(DnsConfigTest, MissingResolvConfIsAnErrorNamingIt) {
  auto dns = readHostDns("/nonexistent/resolv.conf");
  ASSERT_FALSE(dns);
  EXPECT_EQ(dns.error().context, "/nonexistent/resolv.conf");
}

}  // namespace
}  // namespace daemonlet::runtime::cri
