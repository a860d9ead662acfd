#pragma once
// The subset of Kubernetes objects the agent acts on: apps/v1 DaemonSet and the
// parts of core/v1 Pod and Node it needs. Field names follow the API so a reader
// can map every member to its JSON path.
//
// Every object keeps the JSON it was parsed from (`raw`) so fields the model does
// not know survive re-serialisation; the parser reports them as warnings.
//
// Optional fields the API distinguishes from zero ("unset" vs "0") are
// std::optional; defaulting (defaults.h) fills them the way the API server does.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/model/quantity.h"

namespace daemonlet::model {

using Json = nlohmann::ordered_json;
using StringMap = std::map<std::string, std::string>;

// intstr.IntOrString: ports and rolling-update budgets ("25%" or 1).
struct IntOrString {
  bool isString = false;
  std::int64_t intValue = 0;
  std::string stringValue;

  static IntOrString fromInt(std::int64_t v) { return IntOrString{false, v, {}}; }
  static IntOrString fromString(std::string s) { return IntOrString{true, 0, std::move(s)}; }
  bool operator==(const IntOrString&) const = default;
};

struct ObjectMeta {
  std::string name;
  std::string generateName;
  std::string namespace_;  // JSON "namespace"; defaulted to "default"
  std::string uid;
  std::string resourceVersion;
  std::int64_t generation = 0;
  StringMap labels;
  StringMap annotations;
};

// metav1.LabelSelector
struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // JSON "operator": In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};
struct LabelSelector {
  StringMap matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;
};

// core/v1 NodeSelector (node affinity)
struct NodeSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
};
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> matchExpressions;
  std::vector<NodeSelectorRequirement> matchFields;
};
struct NodeSelector {
  std::vector<NodeSelectorTerm> nodeSelectorTerms;
};
struct PreferredSchedulingTerm {
  std::int32_t weight = 0;
  NodeSelectorTerm preference;
};
struct NodeAffinity {
  std::optional<NodeSelector> requiredDuringSchedulingIgnoredDuringExecution;
  std::vector<PreferredSchedulingTerm> preferredDuringSchedulingIgnoredDuringExecution;
};
// Pod (anti-)affinity does not decide placement of a daemon on its own node; it is
// kept in Affinity::raw only.
struct Affinity {
  std::optional<NodeAffinity> nodeAffinity;
};

struct Toleration {
  std::string key;
  std::string op;  // JSON "operator": "", Equal, Exists
  std::string value;
  std::string effect;  // "", NoSchedule, PreferNoSchedule, NoExecute
  std::optional<std::int64_t> tolerationSeconds;
};

struct Taint {
  std::string key;
  std::string value;
  std::string effect;
};

// Probe and lifecycle handlers
struct ExecAction {
  std::vector<std::string> command;
};
struct HttpHeader {
  std::string name;
  std::string value;
};
struct HttpGetAction {
  std::string path;
  IntOrString port;
  std::string host;
  std::string scheme;  // defaulted to HTTP
  std::vector<HttpHeader> httpHeaders;
};
struct TcpSocketAction {
  IntOrString port;
  std::string host;
};
struct GrpcAction {
  std::int32_t port = 0;
  std::optional<std::string> service;
};
struct Probe {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> httpGet;
  std::optional<TcpSocketAction> tcpSocket;
  std::optional<GrpcAction> grpc;
  // Kubernetes defaults: 0, 1, 10, 1, 3 (defaults.h applies them).
  std::int32_t initialDelaySeconds = 0;
  std::int32_t timeoutSeconds = 0;
  std::int32_t periodSeconds = 0;
  std::int32_t successThreshold = 0;
  std::int32_t failureThreshold = 0;
  std::optional<std::int64_t> terminationGracePeriodSeconds;
};

// Lifecycle hooks (core/v1 LifecycleHandler): exactly one handler each.
// tcpSocket is accepted for compatibility only; the kubelet does not run it
// (a hook naming it fails when it runs), and neither does the agent.
struct SleepAction {
  std::int64_t seconds = 0;
};
struct LifecycleHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> httpGet;
  std::optional<TcpSocketAction> tcpSocket;
  std::optional<SleepAction> sleep;
};
struct Lifecycle {
  std::optional<LifecycleHandler> postStart;
  std::optional<LifecycleHandler> preStop;
};

struct ObjectFieldSelector {
  std::string apiVersion;  // defaulted to v1
  std::string fieldPath;
};
struct ResourceFieldSelector {
  std::string containerName;
  std::string resource;
  std::optional<Quantity> divisor;
};
struct KeySelector {  // ConfigMapKeySelector and SecretKeySelector share this shape
  std::string name;
  std::string key;
  std::optional<bool> optional;
};
struct EnvVarSource {
  std::optional<ObjectFieldSelector> fieldRef;
  std::optional<ResourceFieldSelector> resourceFieldRef;
  std::optional<KeySelector> configMapKeyRef;
  std::optional<KeySelector> secretKeyRef;
};
struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> valueFrom;
};

struct ContainerPort {
  std::string name;
  std::int32_t containerPort = 0;
  std::int32_t hostPort = 0;  // with hostNetwork, defaulted to containerPort
  std::string protocol;       // defaulted to TCP
  std::string hostIP;
};

struct ResourceRequirements {
  std::map<std::string, Quantity> limits;
  std::map<std::string, Quantity> requests;
};

struct VolumeMount {
  std::string name;
  std::string mountPath;
  bool readOnly = false;
  std::string subPath;
  std::string subPathExpr;
  std::string mountPropagation;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
};
struct SecurityContext {
  std::optional<bool> privileged;
  std::optional<bool> allowPrivilegeEscalation;
  std::optional<std::int64_t> runAsUser;
  std::optional<std::int64_t> runAsGroup;
  std::optional<bool> runAsNonRoot;
  std::optional<bool> readOnlyRootFilesystem;
  std::optional<Capabilities> capabilities;
  std::string procMount;
};
struct PodSecurityContext {
  std::optional<std::int64_t> runAsUser;
  std::optional<std::int64_t> runAsGroup;
  std::optional<bool> runAsNonRoot;
  std::optional<std::int64_t> fsGroup;
  std::vector<std::int64_t> supplementalGroups;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string workingDir;
  std::vector<ContainerPort> ports;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  std::vector<VolumeMount> volumeMounts;
  std::optional<Probe> livenessProbe;
  std::optional<Probe> readinessProbe;
  std::optional<Probe> startupProbe;
  std::optional<Lifecycle> lifecycle;
  std::optional<SecurityContext> securityContext;
  std::string imagePullPolicy;           // defaulted: Always for :latest/untagged, else IfNotPresent
  std::string terminationMessagePath;    // defaulted: /dev/termination-log
  std::string terminationMessagePolicy;  // defaulted: File
  std::string restartPolicy;             // init containers only: "Always" makes a sidecar
  bool stdin_ = false;                   // JSON "stdin"
  bool tty = false;
};

struct HostPathVolumeSource {
  std::string path;
  std::string type;  // "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice
};
struct EmptyDirVolumeSource {
  std::string medium;  // "" or Memory
  std::optional<Quantity> sizeLimit;
};
struct Volume {
  std::string name;
  std::optional<HostPathVolumeSource> hostPath;
  std::optional<EmptyDirVolumeSource> emptyDir;
  // Every volume-source key present (hostPath, configMap, secret, ...). Exactly one
  // is allowed; sources other than hostPath/emptyDir are kept in raw.
  std::vector<std::string> sourceKinds;
  Json raw;
};

struct PodSpec {
  std::vector<Container> initContainers;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
  std::string nodeName;
  StringMap nodeSelector;
  std::optional<Affinity> affinity;
  std::vector<Toleration> tolerations;
  bool hostNetwork = false;
  bool hostPID = false;
  bool hostIPC = false;
  std::string restartPolicy;  // defaulted to Always
  std::optional<std::int64_t> terminationGracePeriodSeconds;  // defaulted to 30
  std::optional<std::int64_t> activeDeadlineSeconds;
  std::string dnsPolicy;      // defaulted to ClusterFirst
  std::string schedulerName;  // defaulted to default-scheduler
  std::string serviceAccountName;
  std::string priorityClassName;
  std::optional<std::int32_t> priority;
  std::optional<std::string> runtimeClassName;
  std::optional<PodSecurityContext> securityContext;
  std::string hostname;
  std::string subdomain;
  bool hasEphemeralContainers = false;
};

struct PodTemplateSpec {
  ObjectMeta metadata;
  PodSpec spec;
};

struct RollingUpdateDaemonSet {
  std::optional<IntOrString> maxUnavailable;  // defaulted to 1
  std::optional<IntOrString> maxSurge;        // defaulted to 0
};
struct DaemonSetUpdateStrategy {
  std::string type;  // defaulted to RollingUpdate; or OnDelete
  std::optional<RollingUpdateDaemonSet> rollingUpdate;
};

struct DaemonSetSpec {
  std::optional<LabelSelector> selector;
  PodTemplateSpec template_;  // JSON "template"
  DaemonSetUpdateStrategy updateStrategy;
  std::int32_t minReadySeconds = 0;
  std::optional<std::int32_t> revisionHistoryLimit;  // defaulted to 10
};

// Where an object came from, so every message can name the file and document.
struct SourceLocation {
  std::string file;     // path, URL or "<stdin>"
  int documentIndex = 0;  // 0-based position in the file's stream of objects; -1: the whole file
  int line = 0;           // 1-based line where the document starts (YAML), 0 if unknown
};

struct DaemonSet {
  std::string apiVersion;
  std::string kind;
  ObjectMeta metadata;
  DaemonSetSpec spec;
  Json raw;  // the object as read, unknown fields included
  SourceLocation source;
};

// core/v1 Node: only what placement needs.
struct Node {
  ObjectMeta metadata;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Json raw;
};

}  // namespace daemonlet::model
