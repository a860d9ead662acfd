#pragma once
// The labels and annotations daemonlet puts on its CRI sandboxes and containers.
// One home for both sides that use them: the config mapping writes them, and
// adoption (list) reads them back to rebuild a pod after the agent restarts and
// to tell daemonlet's objects from a kubelet's on a shared containerd.
//
// The io.kubernetes.* keys are the kubelet's (kuberuntime labels.go), so tools
// that know kubelet-made containers (crictl, log collectors) read ours the same
// way; the daemonlet.io/* keys carry what the kubelet keeps in its API server.
namespace daemonlet::runtime::cri::labels {

// Labels on sandboxes and containers (the kubelet's).
inline constexpr const char* kPodName = "io.kubernetes.pod.name";
inline constexpr const char* kPodNamespace = "io.kubernetes.pod.namespace";
inline constexpr const char* kPodUid = "io.kubernetes.pod.uid";
inline constexpr const char* kContainerName = "io.kubernetes.container.name";  // containers only

// Ownership: only objects with kManagedBy == kManagedByValue and kAgent equal to
// this agent's id are ever listed as ours, stopped or removed.
inline constexpr const char* kManagedBy = "daemonlet.io/managed-by";
inline constexpr const char* kManagedByValue = "daemonlet";
inline constexpr const char* kAgent = "daemonlet.io/agent";
// What the kubelet reads from the API server, carried for adoption.
inline constexpr const char* kDaemonSetName = "daemonlet.io/daemonset-name";
inline constexpr const char* kDaemonSetUid = "daemonlet.io/daemonset-uid";
inline constexpr const char* kRevision = "daemonlet.io/revision";  // the pod template hash
inline constexpr const char* kInit = "daemonlet.io/init";          // "true" on init containers

// Annotations on containers (the kubelet's).
inline constexpr const char* kRestartCount = "io.kubernetes.container.restartCount";
inline constexpr const char* kTerminationMessagePath = "io.kubernetes.container.terminationMessagePath";
inline constexpr const char* kTerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";
inline constexpr const char* kContainerHash = "io.kubernetes.container.hash";

}  // namespace daemonlet::runtime::cri::labels
