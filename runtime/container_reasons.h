#pragma once
// The reasons a container's state carries, spelled as the kubelet spells them
// (kubectl, dashboards and alerts match these exact words). One home: the
// runtimes set them, the reconciler derives the back-off ones, the local
// Kubernetes API turns some into events and the pod's STATUS column.
namespace daemonlet::runtime::reasons {

// Waiting: not running, no exit, no restart counted.
inline constexpr const char* kContainerCreating = "ContainerCreating";
inline constexpr const char* kPodInitializing = "PodInitializing";  // a main container while init runs
inline constexpr const char* kPulling = "Pulling";
inline constexpr const char* kErrImagePull = "ErrImagePull";
inline constexpr const char* kImagePullBackOff = "ImagePullBackOff";
inline constexpr const char* kInvalidImageName = "InvalidImageName";
inline constexpr const char* kCreateContainerConfigError = "CreateContainerConfigError";
inline constexpr const char* kCreateContainerError = "CreateContainerError";
inline constexpr const char* kCrashLoopBackOff = "CrashLoopBackOff";
// The pod's runtime cannot be reached or is missing (the kubelet's "container
// runtime is down"): the RuntimeSet's choice and the CRI runtime's outages.
inline constexpr const char* kRuntimeUnavailable = "RuntimeUnavailable";

// Terminated.
inline constexpr const char* kCompleted = "Completed";  // exit 0
inline constexpr const char* kError = "Error";
inline constexpr const char* kOOMKilled = "OOMKilled";
inline constexpr const char* kStartError = "StartError";
inline constexpr const char* kContainerStatusUnknown = "ContainerStatusUnknown";  // the exit status was lost

}  // namespace daemonlet::runtime::reasons
