#include "config/node_identity.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace daemonlet::config {

base::Result<HostFacts> readHostFacts() {
  HostFacts facts;
  struct utsname names {};
  if (uname(&names) != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("uname failed: ") + std::strerror(errno));
  }
  facts.machine = names.machine;
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("gethostname failed: ") + std::strerror(errno));
  }
  facts.hostname = host.data();
  return facts;
}

std::string goArchFromMachine(std::string_view machine) {
  static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"x86_64", "amd64"},    {"amd64", "amd64"},   {"aarch64", "arm64"},
      {"arm64", "arm64"},     {"armv8l", "arm"},    {"armv7l", "arm"},
      {"armv6l", "arm"},      {"armv5tel", "arm"},  {"i386", "386"},
      {"i486", "386"},        {"i586", "386"},      {"i686", "386"},
      {"ppc64le", "ppc64le"}, {"ppc64", "ppc64"},   {"s390x", "s390x"},
      {"riscv64", "riscv64"}, {"mips64", "mips64"}, {"loongarch64", "loong64"},
  };
  for (const auto& [uname, goarch] : kMap) {
    if (uname == machine) return std::string(goarch);
  }
  return std::string(machine);
}

std::string nodeNameFromHostname(std::string_view hostname) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!hostname.empty() && isSpace(hostname.front())) hostname.remove_prefix(1);
  while (!hostname.empty() && isSpace(hostname.back())) hostname.remove_suffix(1);
  std::string name(hostname);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

model::StringMap wellKnownLabels(const std::string& nodeName, const HostFacts& host) {
  const std::string arch = goArchFromMachine(host.machine);
  return {
      {std::string(kLabelHostname), nodeName}, {std::string(kLabelOs), "linux"},
      {std::string(kLabelArch), arch},         {std::string(kLabelBetaOs), "linux"},
      {std::string(kLabelBetaArch), arch},
  };
}

bool isWellKnownLabel(std::string_view key) {
  return key == kLabelHostname || key == kLabelOs || key == kLabelArch || key == kLabelBetaOs ||
         key == kLabelBetaArch;
}

model::Node nodeIdentity(const AgentConfig& config) {
  model::Node node;
  node.metadata.name = config.node.name;
  node.metadata.labels = config.node.labels;
  for (const auto& [key, value] : config.node.wellKnownLabels) node.metadata.labels[key] = value;
  node.taints = config.node.taints;

  model::Json raw = {{"apiVersion", "v1"}, {"kind", "Node"}};
  raw["metadata"]["name"] = node.metadata.name;
  raw["metadata"]["labels"] = model::Json::object();
  for (const auto& [key, value] : node.metadata.labels) raw["metadata"]["labels"][key] = value;
  raw["spec"] = model::Json::object();
  if (!node.taints.empty()) {
    model::Json taints = model::Json::array();
    for (const model::Taint& t : node.taints) {
      model::Json taint = {{"key", t.key}};
      if (!t.value.empty()) taint["value"] = t.value;
      taint["effect"] = t.effect;
      taints.push_back(std::move(taint));
    }
    raw["spec"]["taints"] = std::move(taints);
  }
  node.raw = std::move(raw);
  return node;
}

}  // namespace daemonlet::config
