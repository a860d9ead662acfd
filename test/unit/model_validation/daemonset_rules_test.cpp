// DaemonSet-level rules: metadata, selector, update strategy, template policy.
#include "validation_test_util.h"

namespace daemonlet::model::testing {
namespace {

TEST(DaemonSetValidation, BaseIsValid) {
  EXPECT_TRUE(validateDaemonSet(validDaemonSet()).empty()) << describe(validateDaemonSet(validDaemonSet()));
}

TEST(DaemonSetValidation, Metadata) {
  runCases({
      {"name required", [](DaemonSet& d) { d.metadata.name.clear(); }, {{"metadata.name", T::kRequired}}},
      {"generateName instead of name is fine",
       [](DaemonSet& d) {
         d.metadata.name.clear();
         d.metadata.generateName = "agent-";
       },
       {}},
      {"uppercase name", [](DaemonSet& d) { d.metadata.name = "Foo"; }, {{"metadata.name", T::kInvalid}}},
      {"dotted name is a subdomain", [](DaemonSet& d) { d.metadata.name = "agent.v2"; }, {}},
      {"name too long", [](DaemonSet& d) { d.metadata.name = std::string(254, 'a'); }, {{"metadata.name", T::kInvalid}}},
      {"namespace with dot", [](DaemonSet& d) { d.metadata.namespace_ = "kube.system"; },
       {{"metadata.namespace", T::kInvalid}}},
      {"namespace empty", [](DaemonSet& d) { d.metadata.namespace_.clear(); }, {{"metadata.namespace", T::kRequired}}},
      {"bad label key", [](DaemonSet& d) { d.metadata.labels["-bad"] = "x"; }, {{"metadata.labels", T::kInvalid}}},
      {"bad label value", [](DaemonSet& d) { d.metadata.labels["ok"] = "a b"; }, {{"metadata.labels", T::kInvalid}}},
      {"prefixed label key", [](DaemonSet& d) { d.metadata.labels["example.com/tier"] = "node"; }, {}},
      {"empty label value", [](DaemonSet& d) { d.metadata.labels["flag"] = ""; }, {}},
      {"bad annotation key", [](DaemonSet& d) { d.metadata.annotations["a/b/c"] = "x"; },
       {{"metadata.annotations", T::kInvalid}}},
      {"uppercase annotation key is fine", [](DaemonSet& d) { d.metadata.annotations["Example.COM/Key"] = "x"; }, {}},
      {"annotations too large",
       [](DaemonSet& d) { d.metadata.annotations["big"] = std::string(256 * 1024, 'x'); },
       {{"metadata.annotations", T::kTooLong}}},
  });
}

TEST(DaemonSetValidation, Selector) {
  runCases({
      {"missing selector: required, and the template mismatch upstream reports",
       [](DaemonSet& d) { d.spec.selector.reset(); },
       {{"spec.selector", T::kRequired}, {"spec.template.metadata.labels", T::kInvalid}}},
      {"empty selector", [](DaemonSet& d) { d.spec.selector = LabelSelector{}; }, {{"spec.selector", T::kInvalid}}},
      {"selector does not match", [](DaemonSet& d) { d.spec.selector->matchLabels["app"] = "other"; },
       {{"spec.template.metadata.labels", T::kInvalid}}},
      {"invalid selector label skips the match check",
       [](DaemonSet& d) { d.spec.selector->matchLabels["app"] = "bad value"; },
       {{"spec.selector.matchLabels", T::kInvalid}}},
      {"matchExpressions In matching",
       [](DaemonSet& d) {
         d.spec.selector = LabelSelector{{}, {{"app", "In", {"x", "node-agent"}}}};
       },
       {}},
      {"matchExpressions Exists and NotIn matching",
       [](DaemonSet& d) {
         d.spec.selector = LabelSelector{{}, {{"app", "Exists", {}}, {"tier", "NotIn", {"web"}}}};
       },
       {}},
      {"matchExpressions DoesNotExist fails on present label",
       [](DaemonSet& d) { d.spec.selector = LabelSelector{{}, {{"app", "DoesNotExist", {}}}}; },
       {{"spec.template.metadata.labels", T::kInvalid}}},
      {"In without values",
       [](DaemonSet& d) { d.spec.selector->matchExpressions.push_back({"app", "In", {}}); },
       {{"spec.selector.matchExpressions[0].values", T::kRequired}}},
      {"Exists with values",
       [](DaemonSet& d) { d.spec.selector->matchExpressions.push_back({"app", "Exists", {"x"}}); },
       {{"spec.selector.matchExpressions[0].values", T::kForbidden}}},
      {"unknown operator",
       [](DaemonSet& d) { d.spec.selector->matchExpressions.push_back({"app", "Gt", {"1"}}); },
       {{"spec.selector.matchExpressions[0].operator", T::kInvalid}}},
      {"bad expression key and value",
       [](DaemonSet& d) { d.spec.selector->matchExpressions.push_back({"bad key", "In", {"-x"}}); },
       {{"spec.selector.matchExpressions[0].key", T::kInvalid},
        {"spec.selector.matchExpressions[0].values[0]", T::kInvalid}}},
      {"bad template label", [](DaemonSet& d) { d.spec.template_.metadata.labels["x"] = "-y"; },
       {{"spec.template.labels", T::kInvalid}}},
  });
}

TEST(DaemonSetValidation, UpdateStrategy) {
  auto rolling = [](IntOrString unavailable, IntOrString surge) {
    return [=](DaemonSet& d) { d.spec.updateStrategy.rollingUpdate = RollingUpdateDaemonSet{unavailable, surge}; };
  };
  const std::string ru = "spec.updateStrategy.rollingUpdate.";
  runCases({
      {"percent maxUnavailable", rolling(IntOrString::fromString("10%"), IntOrString::fromInt(0)), {}},
      {"percent maxSurge with zero unavailable", rolling(IntOrString::fromInt(0), IntOrString::fromString("10%")), {}},
      {"both zero", rolling(IntOrString::fromInt(0), IntOrString::fromInt(0)), {{ru + "maxUnavailable", T::kRequired}}},
      {"both zero percent", rolling(IntOrString::fromString("0%"), IntOrString::fromString("0%")),
       {{ru + "maxUnavailable", T::kRequired}}},
      {"both non-zero", rolling(IntOrString::fromInt(1), IntOrString::fromInt(1)), {{ru + "maxSurge", T::kInvalid}}},
      {"negative", rolling(IntOrString::fromInt(-1), IntOrString::fromInt(0)), {{ru + "maxUnavailable", T::kInvalid}}},
      {"over 100%", rolling(IntOrString::fromString("101%"), IntOrString::fromInt(0)),
       {{ru + "maxUnavailable", T::kInvalid}}},
      {"not a percent", rolling(IntOrString::fromString("abc"), IntOrString::fromInt(0)),
       {{ru + "maxUnavailable", T::kInvalid}, {ru + "maxUnavailable", T::kRequired}}},
      {"numeric string counts as non-zero", rolling(IntOrString::fromString("5"), IntOrString::fromInt(0)),
       {{ru + "maxUnavailable", T::kInvalid}}},
      {"rolling update missing", [](DaemonSet& d) { d.spec.updateStrategy.rollingUpdate.reset(); },
       {{"spec.updateStrategy.rollingUpdate", T::kRequired}}},
      {"OnDelete ignores rollingUpdate",
       [](DaemonSet& d) {
         d.spec.updateStrategy.type = "OnDelete";
         d.spec.updateStrategy.rollingUpdate = RollingUpdateDaemonSet{IntOrString::fromInt(0), IntOrString::fromInt(0)};
       },
       {}},
      {"unknown type", [](DaemonSet& d) { d.spec.updateStrategy.type = "Recreate"; },
       {{"spec.updateStrategy", T::kNotSupported}}},
      {"negative minReadySeconds", [](DaemonSet& d) { d.spec.minReadySeconds = -1; },
       {{"spec.minReadySeconds", T::kInvalid}}},
      {"zero revisionHistoryLimit", [](DaemonSet& d) { d.spec.revisionHistoryLimit = 0; }, {}},
      {"negative revisionHistoryLimit", [](DaemonSet& d) { d.spec.revisionHistoryLimit = -1; },
       {{"spec.revisionHistoryLimit", T::kInvalid}}},
  });
}

TEST(DaemonSetValidation, TemplatePolicy) {
  runCases({
      {"restartPolicy Never", [](DaemonSet& d) { d.spec.template_.spec.restartPolicy = "Never"; },
       {{"spec.template.spec.restartPolicy", T::kNotSupported}}},
      {"activeDeadlineSeconds", [](DaemonSet& d) { d.spec.template_.spec.activeDeadlineSeconds = 10; },
       {{"spec.template.spec.activeDeadlineSeconds", T::kForbidden}}},
      {"activeDeadlineSeconds zero",
       [](DaemonSet& d) { d.spec.template_.spec.activeDeadlineSeconds = 0; },
       {{"spec.template.spec.activeDeadlineSeconds", T::kForbidden},
        {"spec.template.spec.activeDeadlineSeconds", T::kInvalid}}},
      {"ephemeral containers", [](DaemonSet& d) { d.spec.template_.spec.hasEphemeralContainers = true; },
       {{"spec.template.spec.ephemeralContainers", T::kForbidden}}},
      {"dnsPolicy unknown", [](DaemonSet& d) { d.spec.template_.spec.dnsPolicy = "Cluster"; },
       {{"spec.template.spec.dnsPolicy", T::kNotSupported}}},
      {"dnsPolicy host net", [](DaemonSet& d) { d.spec.template_.spec.dnsPolicy = "ClusterFirstWithHostNet"; }, {}},
      {"hostname label", [](DaemonSet& d) { d.spec.template_.spec.hostname = "a.b"; },
       {{"spec.template.spec.hostname", T::kInvalid}}},
      {"runtimeClassName empty", [](DaemonSet& d) { d.spec.template_.spec.runtimeClassName = ""; },
       {{"spec.template.spec.runtimeClassName", T::kInvalid}}},
      {"runtimeClassName ok", [](DaemonSet& d) { d.spec.template_.spec.runtimeClassName = "gvisor"; }, {}},
      {"priorityClassName", [](DaemonSet& d) { d.spec.template_.spec.priorityClassName = "System_Critical"; },
       {{"spec.template.spec.priorityClassName", T::kInvalid}}},
      {"serviceAccountName", [](DaemonSet& d) { d.spec.template_.spec.serviceAccountName = "Agent"; },
       {{"spec.template.spec.serviceAccountName", T::kInvalid}}},
      {"nodeSelector syntax", [](DaemonSet& d) { d.spec.template_.spec.nodeSelector["kubernetes.io/os"] = "linux!"; },
       {{"spec.template.spec.nodeSelector", T::kInvalid}}},
      {"pod runAsUser negative",
       [](DaemonSet& d) { d.spec.template_.spec.securityContext->runAsUser = -1; },
       {{"spec.template.spec.securityContext.runAsUser", T::kInvalid}}},
  });
}

TEST(FieldErrorText, MatchesKubernetesWording) {
  DaemonSet d = validDaemonSet();
  d.metadata.name = "Foo";
  d.spec.template_.spec.restartPolicy = "Never";
  d.spec.selector.reset();
  const FieldErrors errors = validateDaemonSet(d);
  std::set<std::string> texts;
  for (const auto& e : errors) texts.insert(e.toString());
  EXPECT_TRUE(texts.count(
      "metadata.name: Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
      "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
      "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"))
      << describe(errors);
  EXPECT_TRUE(texts.count("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""))
      << describe(errors);
  EXPECT_TRUE(texts.count("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"node-agent\"}: "
                          "`selector` does not match template `labels`"))
      << describe(errors);
  EXPECT_EQ(FieldError({T::kRequired, "spec.selector", "", ""}).toString(), "spec.selector: Required value");
  EXPECT_EQ(FieldError({T::kForbidden, "a", "", "why"}).toString(), "a: Forbidden: why");
  EXPECT_EQ(FieldError({T::kNotFound, "v[0].name", "\"x\"", ""}).toString(), "v[0].name: Not found: \"x\"");
  EXPECT_EQ(FieldError({T::kInvalid, "p", "-1", "must be greater than or equal to 0"}).toString(),
            "p: Invalid value: -1: must be greater than or equal to 0");
}

TEST(FieldErrorText, DnsLabelMessage) {
  DaemonSet d = validDaemonSet();
  d.spec.template_.spec.containers[0].name = "Agent";
  const FieldErrors errors = validateDaemonSet(d);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].toString(),
            "spec.template.spec.containers[0].name: Invalid value: \"Agent\": a lowercase RFC 1123 label must consist "
            "of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
            "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
}

}  // namespace
}  // namespace daemonlet::model::testing

namespace daemonlet::model::testing {
namespace {

TEST(DaemonSetValidation, PodAnnotations) {
  const std::string a = "spec.template.annotations";
  auto annotate = [](std::string k, std::string v) {
    return [=](DaemonSet& d) { d.spec.template_.metadata.annotations[k] = v; };
  };
  runCases({
      {"apparmor for existing container", annotate("container.apparmor.security.beta.kubernetes.io/agent", "runtime/default"), {}},
      {"apparmor for unknown container", annotate("container.apparmor.security.beta.kubernetes.io/nope", "unconfined"),
       {{a + "[container.apparmor.security.beta.kubernetes.io/nope]", T::kInvalid}}},
      {"apparmor bad profile", annotate("container.apparmor.security.beta.kubernetes.io/agent", "strict"),
       {{a + "[container.apparmor.security.beta.kubernetes.io/agent]", T::kInvalid}}},
      {"seccomp pod profile", annotate("seccomp.security.alpha.kubernetes.io/pod", "runtime/default"), {}},
      {"seccomp bad profile", annotate("seccomp.security.alpha.kubernetes.io/pod", "strict"),
       {{a + ".seccomp.security.alpha.kubernetes.io/pod", T::kInvalid}}},
      {"deletion cost", annotate("controller.kubernetes.io/pod-deletion-cost", "1.5"),
       {{a + "[controller.kubernetes.io/pod-deletion-cost]", T::kInvalid}}},
      {"mirror pod without nodeName", annotate("kubernetes.io/config.mirror", "x"),
       {{a + "[kubernetes.io/config.mirror]", T::kInvalid}}},
  });
}

}  // namespace
}  // namespace daemonlet::model::testing
