#pragma once
// The agent's configuration (`daemonlet run`): a versioned YAML file in the style of
// kubelet's KubeletConfiguration, drop-ins beside it, and flags on top. This header
// holds only the resulting values and their defaults; agent_config_loader.h builds
// them, node_identity.h turns them into the Node that placement sees.
//
// Every default here is also written out, with a comment, in
// packaging/daemonlet.yaml (installed as /etc/daemonlet/config.yaml); keep the two
// in step.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/log.h"
#include "agent/model/quantity.h"
#include "agent/model/types.h"

namespace daemonlet::config {

// sysexits.h EX_CONFIG: `daemonlet run` exits with this when the configuration
// (file, drop-in or flag) is invalid or the --config file cannot be read.
inline constexpr int kExitConfig = 78;

inline constexpr std::string_view kConfigApiVersion = "daemonlet.io/v1alpha1";
inline constexpr std::string_view kConfigKind = "AgentConfiguration";

// Where packaging installs the file. `daemonlet run` reads it only when told to
// with --config (the systemd unit does); without --config no file is read, so
// tests and benchmarks run unprivileged on flags alone.
inline constexpr std::string_view kPackagedConfigFile = "/etc/daemonlet/config.yaml";
// Drop-ins live in this directory next to the config file; `*.yaml` files there
// are merged over it in lexical (byte) order of their names.
inline constexpr std::string_view kDropInDirName = "config.d";

// The local status API's default port. 10290 is taken by no Kubernetes component
// default (kubelet 10250/10255/10248, kube-proxy 10249/10256, controller-manager
// 10257, cloud-controller-manager 10258/10260, scheduler 10259, ingress-nginx
// 10254), by no common exporter (node-exporter 9100, the Prometheus 9xxx range),
// is not in /etc/services, and lies below Linux's ephemeral range (32768+), so an
// outgoing connection never holds it when the agent starts.
inline constexpr std::uint16_t kDefaultStatusPort = 10290;

// Where the local status API listens: a TCP address, loopback by default, or a
// unix socket (then file permissions guard the mutating calls).
struct ListenAddress {
  std::string host = "127.0.0.1";           // IP literal (IPv6 without brackets) or "localhost"
  std::uint16_t port = kDefaultStatusPort;  // 0: the kernel picks a free port (tests)
  std::string unixSocketPath;               // non-empty for "unix:///path"; host/port unused

  bool isUnixSocket() const { return !unixSocketPath.empty(); }
  // The form the flag takes: "127.0.0.1:10290", "[::1]:10290", "unix:///run/x.sock".
  std::string text() const;
  bool operator==(const ListenAddress&) const = default;
};

struct NodeConfig {
  std::string name;  // after loading never empty: the lowercased hostname when unset
  // The operator's labels, without the well-known ones below: the agent owns those
  // (as kubelet does) and a user value for them is dropped with a warning.
  model::StringMap labels;
  std::vector<model::Taint> taints;
  // kubernetes.io/hostname (= name), kubernetes.io/os, kubernetes.io/arch and the
  // legacy beta.kubernetes.io/os and /arch that kubelet still sets.
  model::StringMap wellKnownLabels;
};

// kubelet's container restart backoff: 10s doubling to a 300s cap, forgotten after
// 10 minutes of clean running. All zero is allowed (benchmarks restart at once).
struct RestartBackoff {
  std::chrono::nanoseconds initial = std::chrono::seconds(10);
  std::chrono::nanoseconds max = std::chrono::seconds(300);
  std::chrono::nanoseconds resetAfter = std::chrono::minutes(10);
  double multiplier = 2.0;
  bool operator==(const RestartBackoff&) const = default;
};

// Size-based rotation of container log files (kubelet's containerLogMaxSize and
// containerLogMaxFiles, same defaults).
struct ContainerLogRotation {
  model::Quantity maxSize = defaultMaxSize();
  std::int32_t maxFiles = 5;  // the live file plus rotated ones; at least 2

  std::int64_t maxSizeBytes() const { return maxSize.value(); }
  static model::Quantity defaultMaxSize();  // 10Mi
};

// The central endpoint (README "Central endpoint"): where the fleet's DaemonSets come
// from besides the manifest directory. An empty url means none: the agent runs the
// manifest directory alone, as before.
enum class EndpointMode { kHttp, kKubernetes };
std::string_view endpointModeName(EndpointMode mode);  // "http", "kubernetes"

// TLS for the endpoint and the upward reports. Files are absolute after loading;
// empty means unset (the system CA store; no client certificate; no pinning).
struct EndpointTls {
  std::string caFile;
  std::string certFile;  // client certificate (mTLS); needs keyFile
  std::string keyFile;
  std::string pinnedPublicKey;  // "sha256//<base64>[;sha256//...]"
  bool operator==(const EndpointTls&) const = default;
};

// Kubernetes API mode: list and watch apps/v1 DaemonSets; optionally follow this
// node's labels and taints from its Node object (merged with the local ones).
struct EndpointKubernetes {
  std::string namespace_;  // empty: all namespaces
  std::string labelSelector;
  bool followNode = false;
  bool operator==(const EndpointKubernetes&) const = default;
};

struct EndpointConfig {
  std::string url;  // http(s)://...; empty: no endpoint
  EndpointMode mode = EndpointMode::kHttp;
  std::chrono::nanoseconds pollInterval = std::chrono::seconds(30);  // http mode
  double pollJitter = 0.1;  // each wait is pollInterval * (1 +- pollJitter * random)
  std::chrono::nanoseconds connectTimeout = std::chrono::seconds(5);
  std::chrono::nanoseconds requestTimeout = std::chrono::seconds(30);
  model::Quantity maxBodySize = defaultMaxBodySize();
  // Retry delay after a failure: initial, doubling to max.
  std::chrono::nanoseconds backoffInitial = std::chrono::seconds(1);
  std::chrono::nanoseconds backoffMax = std::chrono::minutes(5);
  EndpointTls tls;
  std::string bearerTokenFile;  // absolute after loading; re-read when it changes
  EndpointKubernetes kubernetes;

  bool enabled() const { return !url.empty(); }
  std::int64_t maxBodyBytes() const { return maxBodySize.value(); }
  static model::Quantity defaultMaxBodySize();  // 16Mi
  bool operator==(const EndpointConfig& other) const;
};

// The CRI runtime (containerd, CRI-O) that runs every pod except those with
// runtimeClassName: host. Nothing here is contacted at start: the agent loads its
// CRI client when a pod first needs it.
struct CriConfig {
  // "unix:///path" after loading (a bare absolute path in the file means the same).
  std::string endpoint = "unix:///run/containerd/containerd.sock";
  // Load the CRI client module at agent start, in the background, instead of
  // when a CRI pod first needs it (lazy_cri_runtime.h): the first CRI pod
  // starts ~20 ms sooner, and an agent that never runs one maps gRPC anyway.
  bool loadAtStart = false;
  // Node-wide registry credentials, a Docker config.json, read when it exists
  // (the kubelet's default file); empty: none.
  std::string registryCredentialsFile = "/var/lib/kubelet/config.json";
  bool operator==(const CriConfig&) const = default;
};

// What the removed defaultRuntime (--default-runtime) said is now the rule itself.
inline constexpr std::string_view kDefaultRuntimeRemoved =
    "pods with runtimeClassName: host run as host processes and every other pod runs in the CRI runtime "
    "(cri.endpoint); give the pods meant for host processes runtimeClassName: host";

// Upward status reports: PUT of a node report to url (with "{node}" replaced by
// the node name) on change, debounced, and every `interval` as a heartbeat. They
// use the endpoint's tls and bearerTokenFile.
struct ReportsConfig {
  std::string url;  // template; empty: no reports
  std::chrono::nanoseconds interval = std::chrono::seconds(60);
  std::chrono::nanoseconds debounce = std::chrono::seconds(2);

  bool enabled() const { return !url.empty(); }
  bool operator==(const ReportsConfig&) const = default;
};

struct AgentConfig {
  std::string apiVersion{kConfigApiVersion};
  std::string kind{kConfigKind};
  NodeConfig node;
  // Directories are absolute after loading: a relative path in a file is taken
  // relative to that file's directory (as kubelet does), one from a flag relative
  // to the working directory.
  std::string manifestDir = "/etc/daemonlet/manifests";
  std::string stateDir = "/var/lib/daemonlet";
  std::string logDir = "/var/log/pods";
  std::string runDir = "/run/daemonlet";
  ListenAddress listen;
  CriConfig cri;
  // cgroup v2 path (from the cgroup mount) under which each pod gets a child cgroup.
  // It lies outside the agent's own service cgroup, so stopping the agent never
  // takes the daemons with it. Empty: no cgroups, resource limits not applied.
  std::string cgroupRoot = "/daemonlet";
  RestartBackoff restartBackoff;
  ContainerLogRotation containerLogs;
  // A full reconcile pass runs at least this often even without events.
  std::chrono::nanoseconds resyncPeriod = std::chrono::seconds(60);
  base::LogLevel logLevel = base::LogLevel::kInfo;
  EndpointConfig endpoint;
  ReportsConfig reports;

  // Provenance, for the status page and log lines: the files read, in merge order
  // (empty without --config), and messages the caller should log once (e.g. a
  // user label for a well-known key that was dropped).
  std::vector<std::string> sourceFiles;
  std::vector<std::string> warnings;
};

}  // namespace daemonlet::config
