// Rules on fields the typed model keeps only in raw JSON, checked end to end
// from YAML: pod (anti-)affinity terms, dnsConfig, seccomp/AppArmor profiles;
// also lifecycle on init containers (typed now, kept here as an end-to-end case).
#include "agent/model/decode.h"
#include "validation_test_util.h"

namespace daemonlet::model::testing {
namespace {

// A valid DaemonSet whose pod spec gets `podSpecExtra` (YAML lines indented 6).
std::string manifest(const std::string& podSpecExtra) {
  return R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - {name: agent, image: example.com/agent:1}
)" + podSpecExtra;
}

std::set<ErrorKey> errorsOf(const std::string& yaml, std::string& text) {
  const DecodedFile file = decodeFile(yaml, "x.yaml");
  EXPECT_EQ(file.daemonSets.size(), 1u);
  std::set<ErrorKey> keys;
  for (const auto& ds : file.daemonSets) {
    const FieldErrors errors = validateDaemonSet(ds);
    text += describe(errors);
    for (const auto& e : errors) keys.insert({e.field, e.type});
  }
  return keys;
}

TEST(RawExtrasValidation, Table) {
  const std::string aa = "spec.template.spec.affinity.podAntiAffinity.";
  const std::string dns = "spec.template.spec.dnsConfig";
  const std::vector<std::pair<std::string, std::set<ErrorKey>>> cases = {
      {R"(      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: agent}}
            topologyKey: kubernetes.io/hostname
)",
       {}},
      {R"(      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: agent}}
)",
       {{aa + "requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", T::kRequired},
        {aa + "requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", T::kInvalid}}},
      {R"(      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 101
            podAffinityTerm:
              labelSelector: {matchExpressions: [{key: app, operator: In}]}
              topologyKey: zone
)",
       {{aa + "preferredDuringSchedulingIgnoredDuringExecution[0].weight", T::kInvalid},
        {aa + "preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions[0].values",
         T::kRequired}}},
      {"      dnsPolicy: None\n", {{dns, T::kRequired}}},
      {"      dnsPolicy: None\n      dnsConfig: {searches: [example.com]}\n", {{dns + ".nameservers", T::kRequired}}},
      {"      dnsPolicy: None\n      dnsConfig: {nameservers: [1.1.1.1], searches: [svc.cluster.local.]}\n", {}},
      {"      dnsConfig: {nameservers: [not-an-ip], options: [{value: \"2\"}]}\n",
       {{dns + ".nameservers[0]", T::kInvalid}, {dns + ".options[0]", T::kRequired}}},
      {R"(      initContainers:
      - name: setup
        image: busybox
        lifecycle: {postStart: {exec: {command: ["true"]}}}
)",
       {{"spec.template.spec.initContainers[0].lifecycle", T::kForbidden}}},
      {R"(      initContainers:
      - name: sidecar
        image: busybox
        restartPolicy: Always
        lifecycle: {preStop: {exec: {command: ["true"]}}}
)",
       {}},
      {"      securityContext: {seccompProfile: {type: RuntimeDefault}}\n", {}},
      {"      securityContext: {seccompProfile: {type: Localhost}}\n",
       {{"spec.template.spec.securityContext.seccompProfile.localhostProfile", T::kRequired}}},
      {"      securityContext: {appArmorProfile: {type: Strict}}\n",
       {{"spec.template.spec.securityContext.appArmorProfile.type", T::kNotSupported}}},
      {"      securityContext: {seccompProfile: {type: Unconfined, localhostProfile: x.json}}\n",
       {{"spec.template.spec.securityContext.seccompProfile.localhostProfile", T::kInvalid}}},
  };
  for (const auto& [extra, expected] : cases) {
    SCOPED_TRACE(extra);
    std::string text;
    EXPECT_EQ(errorsOf(manifest(extra), text), expected) << text;
  }
}

}  // namespace
}  // namespace daemonlet::model::testing
