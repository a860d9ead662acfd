// core/v1 PodTemplateSpec, PodSpec, volumes and the pod security context.
#include "agent/model/decode_parts.h"

namespace daemonlet::model::decoding {
namespace {

constexpr std::string_view kPodTemplateFields[] = {"metadata", "spec"};
constexpr std::string_view kPodSpecFields[] = {"volumes",
                                               "initContainers",
                                               "containers",
                                               "ephemeralContainers",
                                               "restartPolicy",
                                               "terminationGracePeriodSeconds",
                                               "activeDeadlineSeconds",
                                               "dnsPolicy",
                                               "nodeSelector",
                                               "serviceAccountName",
                                               "serviceAccount",
                                               "automountServiceAccountToken",
                                               "nodeName",
                                               "hostNetwork",
                                               "hostPID",
                                               "hostIPC",
                                               "shareProcessNamespace",
                                               "securityContext",
                                               "imagePullSecrets",
                                               "hostname",
                                               "subdomain",
                                               "affinity",
                                               "schedulerName",
                                               "tolerations",
                                               "hostAliases",
                                               "priorityClassName",
                                               "priority",
                                               "dnsConfig",
                                               "readinessGates",
                                               "runtimeClassName",
                                               "enableServiceLinks",
                                               "preemptionPolicy",
                                               "overhead",
                                               "topologySpreadConstraints",
                                               "setHostnameAsFQDN",
                                               "os",
                                               "hostUsers",
                                               "schedulingGates",
                                               "resourceClaims",
                                               "resources",
                                               "hostnameOverride"};
constexpr std::string_view kPodSecurityContextFields[] = {"seLinuxOptions",
                                                          "windowsOptions",
                                                          "runAsUser",
                                                          "runAsGroup",
                                                          "runAsNonRoot",
                                                          "supplementalGroups",
                                                          "supplementalGroupsPolicy",
                                                          "fsGroup",
                                                          "sysctls",
                                                          "fsGroupChangePolicy",
                                                          "seccompProfile",
                                                          "appArmorProfile",
                                                          "seLinuxChangePolicy"};
// Volume: its name plus one member per volume source kind.
constexpr std::string_view kVolumeFields[] = {"name",
                                              "hostPath",
                                              "emptyDir",
                                              "gcePersistentDisk",
                                              "awsElasticBlockStore",
                                              "gitRepo",
                                              "secret",
                                              "nfs",
                                              "iscsi",
                                              "glusterfs",
                                              "persistentVolumeClaim",
                                              "rbd",
                                              "flexVolume",
                                              "cinder",
                                              "cephfs",
                                              "flocker",
                                              "downwardAPI",
                                              "fc",
                                              "azureFile",
                                              "configMap",
                                              "vsphereVolume",
                                              "quobyte",
                                              "azureDisk",
                                              "photonPersistentDisk",
                                              "projected",
                                              "portworxVolume",
                                              "scaleIO",
                                              "storageos",
                                              "csi",
                                              "ephemeral",
                                              "image"};
constexpr std::string_view kHostPathFields[] = {"path", "type"};
constexpr std::string_view kEmptyDirFields[] = {"medium", "sizeLimit"};

void decodeHostPath(DecodeContext& ctx, const Json& json, const std::string& path,
                    HostPathVolumeSource& out) {
  ObjectReader r(ctx, json, path, kHostPathFields);
  r.string("path", out.path);
  r.string("type", out.type);
}

void decodeEmptyDir(DecodeContext& ctx, const Json& json, const std::string& path,
                    EmptyDirVolumeSource& out) {
  ObjectReader r(ctx, json, path, kEmptyDirFields);
  r.string("medium", out.medium);
  r.quantity("sizeLimit", out.sizeLimit);
}

void decodeVolume(DecodeContext& ctx, const Json& json, const std::string& path, Volume& out) {
  ObjectReader r(ctx, json, path, kVolumeFields);
  if (!r.isObject()) return;
  out.raw = json;
  r.string("name", out.name);
  r.optObject("hostPath", out.hostPath, decodeHostPath);
  r.optObject("emptyDir", out.emptyDir, decodeEmptyDir);
  for (const auto& [key, value] : json.items()) {
    if (key != "name") out.sourceKinds.push_back(key);
  }
}

void decodePodSecurityContext(DecodeContext& ctx, const Json& json, const std::string& path,
                              PodSecurityContext& out) {
  ObjectReader r(ctx, json, path, kPodSecurityContextFields);
  r.optInt64("runAsUser", out.runAsUser);
  r.optInt64("runAsGroup", out.runAsGroup);
  r.optBool("runAsNonRoot", out.runAsNonRoot);
  r.optInt64("fsGroup", out.fsGroup);
  if (const Json* groups = r.get("supplementalGroups")) {
    const std::string groupsPath = r.pathOf("supplementalGroups");
    if (!groups->is_array()) {
      ctx.typeError(groupsPath, *groups, "array of integers");
      return;
    }
    for (std::size_t i = 0; i < groups->size(); ++i) {
      std::int64_t group = 0;
      if (readInt64(ctx, (*groups)[i], indexPath(groupsPath, i), group))
        out.supplementalGroups.push_back(group);
    }
  }
}

}  // namespace

void decodePodSpec(DecodeContext& ctx, const Json& json, const std::string& path, PodSpec& out) {
  ObjectReader r(ctx, json, path, kPodSpecFields);
  r.list("initContainers", out.initContainers, decodeContainer);
  r.list("containers", out.containers, decodeContainer);
  r.list("volumes", out.volumes, decodeVolume);
  r.string("nodeName", out.nodeName);
  r.stringMap("nodeSelector", out.nodeSelector);
  r.optObject("affinity", out.affinity, decodeAffinity);
  r.list("tolerations", out.tolerations, decodeToleration);
  r.boolean("hostNetwork", out.hostNetwork);
  r.boolean("hostPID", out.hostPID);
  r.boolean("hostIPC", out.hostIPC);
  r.string("restartPolicy", out.restartPolicy);
  r.optInt64("terminationGracePeriodSeconds", out.terminationGracePeriodSeconds);
  r.optInt64("activeDeadlineSeconds", out.activeDeadlineSeconds);
  r.string("dnsPolicy", out.dnsPolicy);
  r.string("schedulerName", out.schedulerName);
  r.string("serviceAccountName", out.serviceAccountName);
  r.string("priorityClassName", out.priorityClassName);
  r.optInt32("priority", out.priority);
  r.optString("runtimeClassName", out.runtimeClassName);
  r.optObject("securityContext", out.securityContext, decodePodSecurityContext);
  r.string("hostname", out.hostname);
  r.string("subdomain", out.subdomain);
  if (const Json* ephemeral = r.get("ephemeralContainers")) {
    if (!ephemeral->is_array()) {
      ctx.typeError(r.pathOf("ephemeralContainers"), *ephemeral, "array");
    } else {
      out.hasEphemeralContainers = !ephemeral->empty();
    }
  }
}

void decodePodTemplateSpec(DecodeContext& ctx, const Json& json, const std::string& path,
                           PodTemplateSpec& out) {
  ObjectReader r(ctx, json, path, kPodTemplateFields);
  r.object("metadata", out.metadata, decodeObjectMeta);
  r.object("spec", out.spec, decodePodSpec);
}

}  // namespace daemonlet::model::decoding
