// core/v1 Container and what hangs below it: ports, env, resources, mounts,
// probes and the security context.
#include "agent/model/decode_parts.h"

namespace daemonlet::model::decoding {
namespace {

constexpr std::string_view kContainerFields[] = {"name",
                                                 "image",
                                                 "command",
                                                 "args",
                                                 "workingDir",
                                                 "ports",
                                                 "envFrom",
                                                 "env",
                                                 "resources",
                                                 "resizePolicy",
                                                 "restartPolicy",
                                                 "restartPolicyRules",
                                                 "volumeMounts",
                                                 "volumeDevices",
                                                 "livenessProbe",
                                                 "readinessProbe",
                                                 "startupProbe",
                                                 "lifecycle",
                                                 "terminationMessagePath",
                                                 "terminationMessagePolicy",
                                                 "imagePullPolicy",
                                                 "securityContext",
                                                 "stdin",
                                                 "stdinOnce",
                                                 "tty"};
constexpr std::string_view kPortFields[] = {"name", "hostPort", "containerPort", "protocol", "hostIP"};
constexpr std::string_view kEnvVarFields[] = {"name", "value", "valueFrom"};
constexpr std::string_view kEnvVarSourceFields[] = {"fieldRef", "resourceFieldRef", "configMapKeyRef",
                                                    "secretKeyRef", "fileKeyRef"};
constexpr std::string_view kObjectFieldSelectorFields[] = {"apiVersion", "fieldPath"};
constexpr std::string_view kResourceFieldSelectorFields[] = {"containerName", "resource", "divisor"};
constexpr std::string_view kKeySelectorFields[] = {"name", "key", "optional"};
constexpr std::string_view kResourcesFields[] = {"limits", "requests", "claims"};
constexpr std::string_view kVolumeMountFields[] = {
    "name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr"};
constexpr std::string_view kProbeFields[] = {"exec",
                                             "httpGet",
                                             "tcpSocket",
                                             "grpc",
                                             "initialDelaySeconds",
                                             "timeoutSeconds",
                                             "periodSeconds",
                                             "successThreshold",
                                             "failureThreshold",
                                             "terminationGracePeriodSeconds"};
constexpr std::string_view kExecFields[] = {"command"};
constexpr std::string_view kLifecycleFields[] = {"postStart", "preStop"};
constexpr std::string_view kLifecycleHandlerFields[] = {"exec", "httpGet", "tcpSocket", "sleep"};
constexpr std::string_view kSleepFields[] = {"seconds"};
constexpr std::string_view kHttpGetFields[] = {"path", "port", "host", "scheme", "httpHeaders"};
constexpr std::string_view kHttpHeaderFields[] = {"name", "value"};
constexpr std::string_view kTcpSocketFields[] = {"port", "host"};
constexpr std::string_view kGrpcFields[] = {"port", "service"};
constexpr std::string_view kSecurityContextFields[] = {
    "capabilities",   "privileged",     "seLinuxOptions",         "windowsOptions",           "runAsUser",
    "runAsGroup",     "runAsNonRoot",   "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount",
    "seccompProfile", "appArmorProfile"};
constexpr std::string_view kCapabilitiesFields[] = {"add", "drop"};

void decodePort(DecodeContext& ctx, const Json& json, const std::string& path, ContainerPort& out) {
  ObjectReader r(ctx, json, path, kPortFields);
  r.string("name", out.name);
  r.int32("hostPort", out.hostPort);
  r.int32("containerPort", out.containerPort);
  r.string("protocol", out.protocol);
  r.string("hostIP", out.hostIP);
}

void decodeObjectFieldSelector(DecodeContext& ctx, const Json& json, const std::string& path,
                               ObjectFieldSelector& out) {
  ObjectReader r(ctx, json, path, kObjectFieldSelectorFields);
  r.string("apiVersion", out.apiVersion);
  r.string("fieldPath", out.fieldPath);
}

void decodeResourceFieldSelector(DecodeContext& ctx, const Json& json, const std::string& path,
                                 ResourceFieldSelector& out) {
  ObjectReader r(ctx, json, path, kResourceFieldSelectorFields);
  r.string("containerName", out.containerName);
  r.string("resource", out.resource);
  r.quantity("divisor", out.divisor);
}

void decodeKeySelector(DecodeContext& ctx, const Json& json, const std::string& path, KeySelector& out) {
  ObjectReader r(ctx, json, path, kKeySelectorFields);
  r.string("name", out.name);
  r.string("key", out.key);
  r.optBool("optional", out.optional);
}

void decodeEnvVarSource(DecodeContext& ctx, const Json& json, const std::string& path, EnvVarSource& out) {
  ObjectReader r(ctx, json, path, kEnvVarSourceFields);
  r.optObject("fieldRef", out.fieldRef, decodeObjectFieldSelector);
  r.optObject("resourceFieldRef", out.resourceFieldRef, decodeResourceFieldSelector);
  r.optObject("configMapKeyRef", out.configMapKeyRef, decodeKeySelector);
  r.optObject("secretKeyRef", out.secretKeyRef, decodeKeySelector);
}

void decodeEnvVar(DecodeContext& ctx, const Json& json, const std::string& path, EnvVar& out) {
  ObjectReader r(ctx, json, path, kEnvVarFields);
  r.string("name", out.name);
  r.string("value", out.value);
  r.optObject("valueFrom", out.valueFrom, decodeEnvVarSource);
}

void decodeResources(DecodeContext& ctx, const Json& json, const std::string& path,
                     ResourceRequirements& out) {
  ObjectReader r(ctx, json, path, kResourcesFields);
  if (const Json* v = r.get("limits")) readQuantityMap(ctx, *v, r.pathOf("limits"), out.limits);
  if (const Json* v = r.get("requests")) readQuantityMap(ctx, *v, r.pathOf("requests"), out.requests);
}

void decodeVolumeMount(DecodeContext& ctx, const Json& json, const std::string& path, VolumeMount& out) {
  ObjectReader r(ctx, json, path, kVolumeMountFields);
  r.string("name", out.name);
  r.boolean("readOnly", out.readOnly);
  r.string("mountPath", out.mountPath);
  r.string("subPath", out.subPath);
  r.string("mountPropagation", out.mountPropagation);
  r.string("subPathExpr", out.subPathExpr);
}

void decodeExec(DecodeContext& ctx, const Json& json, const std::string& path, ExecAction& out) {
  ObjectReader r(ctx, json, path, kExecFields);
  r.stringList("command", out.command);
}

void decodeHttpHeader(DecodeContext& ctx, const Json& json, const std::string& path, HttpHeader& out) {
  ObjectReader r(ctx, json, path, kHttpHeaderFields);
  r.string("name", out.name);
  r.string("value", out.value);
}

void decodeHttpGet(DecodeContext& ctx, const Json& json, const std::string& path, HttpGetAction& out) {
  ObjectReader r(ctx, json, path, kHttpGetFields);
  r.string("path", out.path);
  r.intOrString("port", out.port);
  r.string("host", out.host);
  r.string("scheme", out.scheme);
  r.list("httpHeaders", out.httpHeaders, decodeHttpHeader);
}

void decodeTcpSocket(DecodeContext& ctx, const Json& json, const std::string& path, TcpSocketAction& out) {
  ObjectReader r(ctx, json, path, kTcpSocketFields);
  r.intOrString("port", out.port);
  r.string("host", out.host);
}

void decodeGrpc(DecodeContext& ctx, const Json& json, const std::string& path, GrpcAction& out) {
  ObjectReader r(ctx, json, path, kGrpcFields);
  r.int32("port", out.port);
  r.optString("service", out.service);
}

void decodeProbe(DecodeContext& ctx, const Json& json, const std::string& path, Probe& out) {
  ObjectReader r(ctx, json, path, kProbeFields);
  r.optObject("exec", out.exec, decodeExec);
  r.optObject("httpGet", out.httpGet, decodeHttpGet);
  r.optObject("tcpSocket", out.tcpSocket, decodeTcpSocket);
  r.optObject("grpc", out.grpc, decodeGrpc);
  r.int32("initialDelaySeconds", out.initialDelaySeconds);
  r.int32("timeoutSeconds", out.timeoutSeconds);
  r.int32("periodSeconds", out.periodSeconds);
  r.int32("successThreshold", out.successThreshold);
  r.int32("failureThreshold", out.failureThreshold);
  r.optInt64("terminationGracePeriodSeconds", out.terminationGracePeriodSeconds);
}

void decodeSleep(DecodeContext& ctx, const Json& json, const std::string& path, SleepAction& out) {
  ObjectReader r(ctx, json, path, kSleepFields);
  r.int64("seconds", out.seconds);
}

void decodeLifecycleHandler(DecodeContext& ctx, const Json& json, const std::string& path, LifecycleHandler& out) {
  ObjectReader r(ctx, json, path, kLifecycleHandlerFields);
  r.optObject("exec", out.exec, decodeExec);
  r.optObject("httpGet", out.httpGet, decodeHttpGet);
  r.optObject("tcpSocket", out.tcpSocket, decodeTcpSocket);
  r.optObject("sleep", out.sleep, decodeSleep);
}

void decodeLifecycle(DecodeContext& ctx, const Json& json, const std::string& path, Lifecycle& out) {
  ObjectReader r(ctx, json, path, kLifecycleFields);
  r.optObject("postStart", out.postStart, decodeLifecycleHandler);
  r.optObject("preStop", out.preStop, decodeLifecycleHandler);
}

void decodeCapabilities(DecodeContext& ctx, const Json& json, const std::string& path, Capabilities& out) {
  ObjectReader r(ctx, json, path, kCapabilitiesFields);
  r.stringList("add", out.add);
  r.stringList("drop", out.drop);
}

void decodeSecurityContext(DecodeContext& ctx, const Json& json, const std::string& path,
                           SecurityContext& out) {
  ObjectReader r(ctx, json, path, kSecurityContextFields);
  r.optBool("privileged", out.privileged);
  r.optBool("allowPrivilegeEscalation", out.allowPrivilegeEscalation);
  r.optInt64("runAsUser", out.runAsUser);
  r.optInt64("runAsGroup", out.runAsGroup);
  r.optBool("runAsNonRoot", out.runAsNonRoot);
  r.optBool("readOnlyRootFilesystem", out.readOnlyRootFilesystem);
  r.optObject("capabilities", out.capabilities, decodeCapabilities);
  r.string("procMount", out.procMount);
}

}  // namespace

void decodeContainer(DecodeContext& ctx, const Json& json, const std::string& path, Container& out) {
  ObjectReader r(ctx, json, path, kContainerFields);
  r.string("name", out.name);
  r.string("image", out.image);
  r.stringList("command", out.command);
  r.stringList("args", out.args);
  r.string("workingDir", out.workingDir);
  r.list("ports", out.ports, decodePort);
  r.list("env", out.env, decodeEnvVar);
  r.object("resources", out.resources, decodeResources);
  r.list("volumeMounts", out.volumeMounts, decodeVolumeMount);
  r.optObject("livenessProbe", out.livenessProbe, decodeProbe);
  r.optObject("readinessProbe", out.readinessProbe, decodeProbe);
  r.optObject("startupProbe", out.startupProbe, decodeProbe);
  r.optObject("lifecycle", out.lifecycle, decodeLifecycle);
  r.optObject("securityContext", out.securityContext, decodeSecurityContext);
  r.string("imagePullPolicy", out.imagePullPolicy);
  r.string("terminationMessagePath", out.terminationMessagePath);
  r.string("terminationMessagePolicy", out.terminationMessagePolicy);
  r.string("restartPolicy", out.restartPolicy);
  r.boolean("stdin", out.stdin_);
  r.boolean("tty", out.tty);
}

}  // namespace daemonlet::model::decoding
