// Lifecycle hooks (postStart, preStop), decoded from YAML and validated: one
// handler each, its fields, a sleep bounded by the grace period, and named
// ports resolved against the container's ports.
#include "agent/model/decode.h"
#include "validation_test_util.h"

namespace daemonlet::model::testing {
namespace {

// A valid DaemonSet whose container "agent" (port "metrics" 9100) gets the
// `lifecycle` YAML given (flow style).
std::string hookManifest(const std::string& lifecycle, const std::string& podExtra = "") {
  return R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
)" + podExtra +
         R"(      containers:
      - name: agent
        image: example.com/agent:1
        ports: [{name: metrics, containerPort: 9100}]
        lifecycle: )" +
         lifecycle + "\n";
}

struct HookErrors {
  std::set<ErrorKey> keys;
  std::string text;
};

HookErrors hookErrors(const std::string& yaml) {
  const DecodedFile file = decodeFile(yaml, "x.yaml");
  EXPECT_EQ(file.daemonSets.size(), 1u);
  HookErrors out;
  for (const auto& ds : file.daemonSets) {
    const FieldErrors errors = validateDaemonSet(ds);
    out.text += describe(errors);
    for (const auto& e : errors) out.keys.insert({e.field, e.type});
  }
  return out;
}

const std::string kHook = "spec.template.spec.containers[0].lifecycle.";

TEST(LifecycleDecode, EveryHandlerKindIsRead) {
  const DecodedFile file = decodeFile(hookManifest(R"({postStart: {exec: {command: [sh, -c, "echo hi"]}},
          preStop: {httpGet: {port: metrics, path: /quit, httpHeaders: [{name: X-Why, value: stop}]}}})"),
                                      "x.yaml");
  ASSERT_EQ(file.daemonSets.size(), 1u);
  const Container& c = file.daemonSets[0].spec.template_.spec.containers[0];
  ASSERT_TRUE(c.lifecycle);
  ASSERT_TRUE(c.lifecycle->postStart && c.lifecycle->postStart->exec);
  EXPECT_EQ(c.lifecycle->postStart->exec->command, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  ASSERT_TRUE(c.lifecycle->preStop && c.lifecycle->preStop->httpGet);
  const HttpGetAction& get = *c.lifecycle->preStop->httpGet;
  EXPECT_EQ(get.port, IntOrString::fromString("metrics"));
  EXPECT_EQ(get.path, "/quit");
  EXPECT_EQ(get.scheme, "HTTP");  // defaulted as the API server does
  ASSERT_EQ(get.httpHeaders.size(), 1u);
  EXPECT_EQ(get.httpHeaders[0].value, "stop");

  const DecodedFile sleeping = decodeFile(hookManifest("{preStop: {sleep: {seconds: 5}}}"), "x.yaml");
  ASSERT_EQ(sleeping.daemonSets.size(), 1u);
  const auto& preStop = sleeping.daemonSets[0].spec.template_.spec.containers[0].lifecycle->preStop;
  ASSERT_TRUE(preStop && preStop->sleep);
  EXPECT_EQ(preStop->sleep->seconds, 5);
}

TEST(LifecycleDecode, WrongTypesNameTheField) {
  const DecodedFile file = decodeFile(hookManifest("{postStart: {httpGet: {port: [1]}}}"), "x.yaml");
  EXPECT_TRUE(file.daemonSets.empty());
  std::string all;
  for (const auto& d : file.errors) all += d.format() + "\n";
  EXPECT_NE(all.find(kHook + "postStart.httpGet.port"), std::string::npos) << all;
}

TEST(LifecycleValidation, HandlerRules) {
  const std::vector<std::pair<std::string, std::set<ErrorKey>>> cases = {
      {"{postStart: {exec: {command: [touch, /tmp/x]}}, preStop: {sleep: {seconds: 3}}}", {}},
      {"{preStop: {httpGet: {port: 9100}}}", {}},
      {"{preStop: {httpGet: {port: metrics, scheme: HTTPS}}}", {}},
      {"{preStop: {tcpSocket: {port: 9100}}}", {}},  // accepted; never run (see the README)
      {"{postStart: {}}", {{kHook + "postStart", T::kRequired}}},
      {"{postStart: {exec: {command: []}}}", {{kHook + "postStart.exec.command", T::kRequired}}},
      {"{postStart: {exec: {command: [a]}, sleep: {seconds: 1}}}", {{kHook + "postStart.sleep", T::kForbidden}}},
      {"{preStop: {httpGet: {port: 0}}}", {{kHook + "preStop.httpGet.port", T::kInvalid}}},
      {"{preStop: {httpGet: {port: 9100, scheme: FTP}}}", {{kHook + "preStop.httpGet.scheme", T::kNotSupported}}},
      {"{postStart: {httpGet: {port: admin}}}", {{kHook + "postStart.httpGet.port", T::kInvalid}}},
      {"{postStart: {tcpSocket: {port: admin}}}", {{kHook + "postStart.tcpSocket.port", T::kInvalid}}},
      {"{preStop: {httpGet: {port: 9100, httpHeaders: [{name: 'bad header', value: x}]}}}",
       {{kHook + "preStop.httpGet.httpHeaders", T::kInvalid}}},
      {"{preStop: {sleep: {seconds: 31}}}", {{kHook + "preStop.sleep", T::kInvalid}}},
      {"{preStop: {sleep: {seconds: -1}}}", {{kHook + "preStop.sleep", T::kInvalid}}},
  };
  for (const auto& [lifecycle, expected] : cases) {
    SCOPED_TRACE(lifecycle);
    HookErrors got = hookErrors(hookManifest(lifecycle));
    EXPECT_EQ(got.keys, expected) << got.text;
  }
}

TEST(LifecycleValidation, MessagesSayWhatIsWrong) {
  HookErrors port = hookErrors(hookManifest("{postStart: {httpGet: {port: admin}}}"));
  EXPECT_NE(port.text.find(kHook + "postStart.httpGet.port: Invalid value: \"admin\""), std::string::npos) << port.text;
  EXPECT_NE(port.text.find("the name of one of the container's ports"), std::string::npos) << port.text;

  HookErrors sleep =
      hookErrors(hookManifest("{preStop: {sleep: {seconds: 20}}}", "      terminationGracePeriodSeconds: 10\n"));
  EXPECT_NE(sleep.text.find("less than terminationGracePeriodSeconds (10)"), std::string::npos) << sleep.text;
}

}  // namespace
}  // namespace daemonlet::model::testing
