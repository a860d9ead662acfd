// Container and init-container rules of the pod template.
#include "validation_test_util.h"

namespace daemonlet::model::testing {
namespace {

Container& first(DaemonSet& d) { return d.spec.template_.spec.containers[0]; }
const std::string c0 = "spec.template.spec.containers[0].";
const std::string i0 = "spec.template.spec.initContainers[0].";

TEST(ContainerValidation, NamesImagePolicies) {
  runCases({
      {"no containers", [](DaemonSet& d) { d.spec.template_.spec.containers.clear(); },
       {{"spec.template.spec.containers", T::kRequired}}},
      {"name required", [](DaemonSet& d) { first(d).name.clear(); }, {{c0 + "name", T::kRequired}}},
      {"duplicate names",
       [](DaemonSet& d) { d.spec.template_.spec.containers.push_back(validContainer("agent")); },
       {{"spec.template.spec.containers[1].name", T::kDuplicate}}},
      {"init container name clashes with regular",
       [](DaemonSet& d) { d.spec.template_.spec.initContainers.push_back(validContainer("agent")); },
       {{i0 + "name", T::kDuplicate}}},
      {"image required", [](DaemonSet& d) { first(d).image.clear(); }, {{c0 + "image", T::kRequired}}},
      {"whitespace image is accepted for templates", [](DaemonSet& d) { first(d).image = " "; }, {}},
      {"pull policy", [](DaemonSet& d) { first(d).imagePullPolicy = "Sometimes"; },
       {{c0 + "imagePullPolicy", T::kNotSupported}}},
      {"pull policy missing", [](DaemonSet& d) { first(d).imagePullPolicy.clear(); },
       {{c0 + "imagePullPolicy", T::kRequired}}},
      {"termination message policy", [](DaemonSet& d) { first(d).terminationMessagePolicy = "Log"; },
       {{c0 + "terminationMessagePolicy", T::kNotSupported}}},
      {"restartPolicy on regular container", [](DaemonSet& d) { first(d).restartPolicy = "Always"; },
       {{c0 + "restartPolicy", T::kForbidden}}},
  });
}

TEST(ContainerValidation, Ports) {
  auto port = [](std::int32_t containerPort, std::int32_t hostPort, std::string protocol, std::string name = {}) {
    return ContainerPort{std::move(name), containerPort, hostPort, std::move(protocol), {}};
  };
  runCases({
      {"hostPort without hostNetwork", [&](DaemonSet& d) { first(d).ports = {port(8080, 9090, "TCP")}; }, {}},
      {"hostNetwork needs equal ports",
       [&](DaemonSet& d) {
         d.spec.template_.spec.hostNetwork = true;
         first(d).ports = {port(8080, 9090, "TCP")};
       },
       {{c0 + "ports[0].containerPort", T::kInvalid}}},
      {"hostNetwork with equal ports",
       [&](DaemonSet& d) {
         d.spec.template_.spec.hostNetwork = true;
         first(d).ports = {port(8080, 8080, "TCP")};
       },
       {}},
      {"port zero", [&](DaemonSet& d) { first(d).ports = {port(0, 0, "TCP")}; }, {{c0 + "ports[0].containerPort", T::kRequired}}},
      {"port too big", [&](DaemonSet& d) { first(d).ports = {port(70000, 0, "TCP")}; },
       {{c0 + "ports[0].containerPort", T::kInvalid}}},
      {"hostPort too big", [&](DaemonSet& d) { first(d).ports = {port(80, 70000, "TCP")}; },
       {{c0 + "ports[0].hostPort", T::kInvalid}}},
      {"protocol", [&](DaemonSet& d) { first(d).ports = {port(80, 0, "ICMP")}; }, {{c0 + "ports[0].protocol", T::kNotSupported}}},
      {"SCTP ok", [&](DaemonSet& d) { first(d).ports = {port(80, 0, "SCTP")}; }, {}},
      {"protocol missing", [&](DaemonSet& d) { first(d).ports = {port(80, 0, "")}; }, {{c0 + "ports[0].protocol", T::kRequired}}},
      {"port name", [&](DaemonSet& d) { first(d).ports = {port(80, 0, "TCP", "Metrics")}; }, {{c0 + "ports[0].name", T::kInvalid}}},
      {"port name too long", [&](DaemonSet& d) { first(d).ports = {port(80, 0, "TCP", "a-very-long-port-name")}; },
       {{c0 + "ports[0].name", T::kInvalid}}},
      {"port name digits only", [&](DaemonSet& d) { first(d).ports = {port(80, 0, "TCP", "8080")}; },
       {{c0 + "ports[0].name", T::kInvalid}}},
      {"duplicate port names",
       [&](DaemonSet& d) { first(d).ports = {port(80, 0, "TCP", "http"), port(81, 0, "TCP", "http")}; },
       {{c0 + "ports[1].name", T::kDuplicate}}},
      {"host port clash across containers",
       [&](DaemonSet& d) {
         first(d).ports = {port(80, 8080, "TCP")};
         d.spec.template_.spec.containers.push_back(validContainer("second"));
         d.spec.template_.spec.containers[1].ports = {port(81, 8080, "TCP")};
       },
       {{"spec.template.spec.containers[1].ports[0].hostPort", T::kDuplicate}}},
      {"same host port different protocol",
       [&](DaemonSet& d) { first(d).ports = {port(53, 53, "TCP"), port(53, 53, "UDP")}; }, {}},
  });
}

TEST(ContainerValidation, Env) {
  auto env = [](std::string name, std::string value, std::optional<EnvVarSource> from = std::nullopt) {
    return EnvVar{std::move(name), std::move(value), std::move(from)};
  };
  auto fieldRef = [](std::string path, std::string version = "v1") {
    EnvVarSource s;
    s.fieldRef = ObjectFieldSelector{std::move(version), std::move(path)};
    return s;
  };
  const std::string e0 = c0 + "env[0].";
  runCases({
      {"value with dollar", [&](DaemonSet& d) { first(d).env = {env("PATH_EXTRA", "$(HOME)/bin$")}; }, {}},
      {"relaxed name", [&](DaemonSet& d) { first(d).env = {env("1 weird-name.x", "v")}; }, {}},
      {"name with equals", [&](DaemonSet& d) { first(d).env = {env("A=B", "v")}; }, {{e0 + "name", T::kInvalid}}},
      {"name empty", [&](DaemonSet& d) { first(d).env = {env("", "v")}; },
       {{e0 + "name", T::kRequired}, {e0 + "name", T::kInvalid}}},
      {"fieldRef node name", [&](DaemonSet& d) { first(d).env = {env("NODE", "", fieldRef("spec.nodeName"))}; }, {}},
      {"fieldRef host IPs", [&](DaemonSet& d) { first(d).env = {env("IPS", "", fieldRef("status.hostIPs"))}; }, {}},
      {"fieldRef label subscript",
       [&](DaemonSet& d) { first(d).env = {env("APP", "", fieldRef("metadata.labels['app']"))}; }, {}},
      {"fieldRef unsupported path",
       [&](DaemonSet& d) { first(d).env = {env("RP", "", fieldRef("spec.restartPolicy"))}; },
       {{e0 + "valueFrom.fieldRef.fieldPath", T::kNotSupported}}},
      {"fieldRef unknown path",
       [&](DaemonSet& d) { first(d).env = {env("X", "", fieldRef("spec.bogus"))}; },
       {{e0 + "valueFrom.fieldRef.fieldPath", T::kInvalid}}},
      {"fieldRef bad version",
       [&](DaemonSet& d) { first(d).env = {env("X", "", fieldRef("metadata.name", "v2"))}; },
       {{e0 + "valueFrom.fieldRef.fieldPath", T::kInvalid}}},
      {"value and valueFrom",
       [&](DaemonSet& d) { first(d).env = {env("X", "v", fieldRef("metadata.name"))}; },
       {{e0 + "valueFrom", T::kInvalid}}},
      {"valueFrom without source", [&](DaemonSet& d) { first(d).env = {env("X", "", EnvVarSource{})}; },
       {{e0 + "valueFrom", T::kInvalid}}},
      {"two sources",
       [&](DaemonSet& d) {
         EnvVarSource s = fieldRef("metadata.name");
         s.secretKeyRef = KeySelector{"creds", "token", std::nullopt};
         first(d).env = {env("X", "", s)};
       },
       {{e0 + "valueFrom", T::kInvalid}}},
      {"configMapKeyRef without key",
       [&](DaemonSet& d) {
         EnvVarSource s;
         s.configMapKeyRef = KeySelector{"cfg", "", std::nullopt};
         first(d).env = {env("X", "", s)};
       },
       {{e0 + "valueFrom.configMapKeyRef.key", T::kRequired}}},
      {"resourceFieldRef unsupported",
       [&](DaemonSet& d) {
         EnvVarSource s;
         s.resourceFieldRef = ResourceFieldSelector{"", "limits.gpu", std::nullopt};
         first(d).env = {env("X", "", s)};
       },
       {{e0 + "valueFrom.resourceFieldRef.resource", T::kNotSupported}}},
  });
}

TEST(ContainerValidation, ResourcesAndSecurity) {
  const std::string r = c0 + "resources.";
  runCases({
      {"request above limit",
       [](DaemonSet& d) {
         first(d).resources.limits["cpu"] = qty("500m");
         first(d).resources.requests["cpu"] = qty("1");
       },
       {{r + "requests", T::kInvalid}}},
      {"request equal to limit written differently",
       [](DaemonSet& d) {
         first(d).resources.limits["memory"] = qty("1Gi");
         first(d).resources.requests["memory"] = qty("1024Mi");
       },
       {}},
      {"negative limit", [](DaemonSet& d) { first(d).resources.limits["memory"] = qty("-1"); },
       {{r + "limits[memory]", T::kInvalid}}},
      {"non-standard resource", [](DaemonSet& d) { first(d).resources.limits["gpu"] = qty("1"); },
       {{r + "limits[gpu]", T::kInvalid}}},
      {"extended resource request needs limit",
       [](DaemonSet& d) { first(d).resources.requests["nvidia.com/gpu"] = qty("1"); },
       {{r + "limits", T::kRequired}}},
      {"extended resource limit only", [](DaemonSet& d) { first(d).resources.limits["nvidia.com/gpu"] = qty("2"); }, {}},
      {"extended resource fraction", [](DaemonSet& d) { first(d).resources.limits["nvidia.com/gpu"] = qty("500m"); },
       {{r + "limits[nvidia.com/gpu]", T::kInvalid}}},
      {"privileged with no escalation",
       [](DaemonSet& d) {
         SecurityContext sc;
         sc.privileged = true;
         sc.allowPrivilegeEscalation = false;
         first(d).securityContext = sc;
       },
       {{c0 + "securityContext", T::kInvalid}}},
      {"privileged alone is allowed",
       [](DaemonSet& d) {
         SecurityContext sc;
         sc.privileged = true;
         first(d).securityContext = sc;
       },
       {}},
      {"CAP_SYS_ADMIN with no escalation",
       [](DaemonSet& d) {
         SecurityContext sc;
         sc.allowPrivilegeEscalation = false;
         sc.capabilities = Capabilities{{"CAP_SYS_ADMIN"}, {}};
         first(d).securityContext = sc;
       },
       {{c0 + "securityContext", T::kInvalid}}},
      {"container runAsUser too large",
       [](DaemonSet& d) {
         SecurityContext sc;
         sc.runAsUser = 4294967296LL;
         first(d).securityContext = sc;
       },
       {{c0 + "securityContext.runAsUser", T::kInvalid}}},
  });
}

TEST(ContainerValidation, Probes) {
  auto withProbe = [](std::function<void(Probe&)> edit, bool readiness = false) {
    return [=](DaemonSet& d) {
      Probe p = validProbe();
      edit(p);
      if (readiness) first(d).readinessProbe = p;
      else first(d).livenessProbe = p;
    };
  };
  const std::string lp = c0 + "livenessProbe";
  runCases({
      {"valid liveness", withProbe([](Probe&) {}), {}},
      {"no handler", withProbe([](Probe& p) { p.exec.reset(); }), {{lp, T::kRequired}}},
      {"two handlers", withProbe([](Probe& p) { p.tcpSocket = TcpSocketAction{IntOrString::fromInt(80), {}}; }),
       {{lp + ".tcpSocket", T::kForbidden}}},
      {"empty exec", withProbe([](Probe& p) { p.exec->command.clear(); }), {{lp + ".exec.command", T::kRequired}}},
      {"liveness success threshold", withProbe([](Probe& p) { p.successThreshold = 2; }),
       {{lp + ".successThreshold", T::kInvalid}}},
      {"readiness success threshold may exceed 1", withProbe([](Probe& p) { p.successThreshold = 2; }, true), {}},
      {"negative delay", withProbe([](Probe& p) { p.initialDelaySeconds = -1; }),
       {{lp + ".initialDelaySeconds", T::kInvalid}}},
      {"httpGet named port",
       withProbe([](Probe& p) {
         p.exec.reset();
         p.httpGet = HttpGetAction{"/healthz", IntOrString::fromString("metrics"), {}, "HTTP", {}};
       }),
       {}},
      {"httpGet bad port and scheme",
       withProbe([](Probe& p) {
         p.exec.reset();
         p.httpGet = HttpGetAction{"/healthz", IntOrString::fromInt(0), {}, "FTP", {}};
       }),
       {{lp + ".httpGet.port", T::kInvalid}, {lp + ".httpGet.scheme", T::kNotSupported}}},
      {"probe grace period zero", withProbe([](Probe& p) { p.terminationGracePeriodSeconds = 0; }),
       {{lp + ".terminationGracePeriodSeconds", T::kInvalid}}},
      {"readiness grace period forbidden", withProbe([](Probe& p) { p.terminationGracePeriodSeconds = 5; }, true),
       {{c0 + "readinessProbe.terminationGracePeriodSeconds", T::kInvalid}}},
  });
}

TEST(ContainerValidation, InitContainers) {
  runCases({
      {"sidecar with probes",
       [](DaemonSet& d) {
         Container c = validContainer("sidecar");
         c.restartPolicy = "Always";
         c.livenessProbe = validProbe();
         c.readinessProbe = validProbe();
         c.startupProbe = validProbe();
         d.spec.template_.spec.initContainers.push_back(c);
       },
       {}},
      {"plain init container with probe",
       [](DaemonSet& d) {
         Container c = validContainer("setup");
         c.readinessProbe = validProbe();
         d.spec.template_.spec.initContainers.push_back(c);
       },
       {{i0 + "readinessProbe", T::kForbidden}}},
      {"init restartPolicy Never",
       [](DaemonSet& d) {
         Container c = validContainer("setup");
         c.restartPolicy = "Never";
         d.spec.template_.spec.initContainers.push_back(c);
       },
       {{i0 + "restartPolicy", T::kNotSupported}}},
      {"duplicate init names",
       [](DaemonSet& d) {
         d.spec.template_.spec.initContainers = {validContainer("setup"), validContainer("setup")};
       },
       {{"spec.template.spec.initContainers[1].name", T::kDuplicate}}},
      {"init container image required",
       [](DaemonSet& d) {
         Container c = validContainer("setup");
         c.image.clear();
         d.spec.template_.spec.initContainers.push_back(c);
       },
       {{i0 + "image", T::kRequired}}},
  });
}

}  // namespace
}  // namespace daemonlet::model::testing
