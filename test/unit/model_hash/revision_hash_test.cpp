// The revision hash must be stable across formatting, key order, explicit versus
// defaulted fields and agent versions, and change whenever the pod template does.
#include "agent/model/revision_hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/model/decode.h"

namespace daemonlet::model {
namespace {

DaemonSet withRaw(const std::string& json) {
  DaemonSet ds;
  ds.raw = Json::parse(json);
  return ds;
}

DaemonSet withTemplate(const std::string& templateJson) {
  return withRaw(R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"x"},"spec":{"template":)" +
                 templateJson + "}}");
}

// Decodes a one-DaemonSet file (parse + defaults), failing the test on any error.
DaemonSet decodeOne(const std::string& content) {
  DecodedFile file = decodeFile(content, "test.yaml");
  for (const Diagnostic& d : file.errors) ADD_FAILURE() << d.format();
  if (file.daemonSets.size() != 1) {
    ADD_FAILURE() << "expected one DaemonSet, got " << file.daemonSets.size();
    return DaemonSet{};
  }
  return file.daemonSets.front();
}

constexpr const char* kGoldenTemplate =
    R"({"spec":{"terminationGracePeriodSeconds":30,"containers":[{"name":"main","image":"busybox:1.36",)"
    R"("command":["sh","-c","echo hi"]}]},"metadata":{"labels":{"app":"golden"}}})";

TEST(RevisionHash, GoldenValuesAreFrozen) {
  // Computed independently of this code (Python: json.dumps(sort_keys=True,
  // separators=(",", ":")), FNV-1a 64, base 27 little-endian, 10 digits). If this
  // fails, the algorithm changed and every daemon would restart on upgrade.
  EXPECT_EQ(revisionHash(withTemplate(kGoldenTemplate)), "bcsxxkqf8r");
  EXPECT_EQ(revisionHash(withTemplate("{}")), "l7t7jbdt44");
  EXPECT_EQ(revisionHash(withRaw(R"({"kind":"DaemonSet"})")), "njg4qh94mc");  // no template: hash of null
}

TEST(RevisionHash, TenCharactersFromTheSafeAlphabet) {
  const std::string hash = revisionHash(withTemplate(kGoldenTemplate));
  ASSERT_EQ(hash.size(), 10u);
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << hash;
}

TEST(RevisionHash, KeyOrderDoesNotMatterAtAnyLevel) {
  const std::string reordered =
      R"({"metadata":{"labels":{"app":"golden"}},"spec":{"containers":[{"command":["sh","-c","echo hi"],)"
      R"("image":"busybox:1.36","name":"main"}],"terminationGracePeriodSeconds":30}})";
  EXPECT_EQ(revisionHash(withTemplate(reordered)), revisionHash(withTemplate(kGoldenTemplate)));
}

TEST(RevisionHash, IntegralFloatsHashLikeIntegers) {
  const std::string asFloat =
      R"({"spec":{"terminationGracePeriodSeconds":30.0,"containers":[{"name":"main","image":"busybox:1.36",)"
      R"("command":["sh","-c","echo hi"]}]},"metadata":{"labels":{"app":"golden"}}})";
  EXPECT_EQ(revisionHash(withTemplate(asFloat)), revisionHash(withTemplate(kGoldenTemplate)));
  EXPECT_NE(revisionHash(withTemplate(R"({"x":30.5})")), revisionHash(withTemplate(R"({"x":30})")));
}

TEST(RevisionHash, EveryTemplateChangeChangesTheHash) {
  const std::string base = revisionHash(withTemplate(kGoldenTemplate));
  const std::vector<std::pair<const char*, std::string>> changes = {
      {"image", R"({"spec":{"terminationGracePeriodSeconds":30,"containers":[{"name":"main","image":"busybox:1.37",)"
                R"("command":["sh","-c","echo hi"]}]},"metadata":{"labels":{"app":"golden"}}})"},
      {"argument order", R"({"spec":{"terminationGracePeriodSeconds":30,"containers":[{"name":"main",)"
                         R"("image":"busybox:1.36","command":["sh","echo hi","-c"]}]},"metadata":{"labels":{"app":"golden"}}})"},
      {"label", R"({"spec":{"terminationGracePeriodSeconds":30,"containers":[{"name":"main","image":"busybox:1.36",)"
                R"("command":["sh","-c","echo hi"]}]},"metadata":{"labels":{"app":"golden2"}}})"},
      {"number", R"({"spec":{"terminationGracePeriodSeconds":31,"containers":[{"name":"main","image":"busybox:1.36",)"
                 R"("command":["sh","-c","echo hi"]}]},"metadata":{"labels":{"app":"golden"}}})"},
      {"number as string", R"({"spec":{"terminationGracePeriodSeconds":"30","containers":[{"name":"main",)"
                           R"("image":"busybox:1.36","command":["sh","-c","echo hi"]}]},"metadata":{"labels":{"app":"golden"}}})"},
  };
  for (const auto& [name, tmpl] : changes) {
    SCOPED_TRACE(name);
    EXPECT_NE(revisionHash(withTemplate(tmpl)), base);
  }
}

TEST(RevisionHash, ObjectMetadataAndSpecOutsideTheTemplateDoNotMatter) {
  DaemonSet a = withTemplate(kGoldenTemplate);
  DaemonSet b = a;
  b.raw["metadata"]["labels"]["team"] = "observability";
  b.raw["metadata"]["annotations"]["note"] = "changed";
  b.raw["spec"]["updateStrategy"] = Json::parse(R"({"type":"OnDelete"})");
  b.raw["spec"]["minReadySeconds"] = 10;
  b.raw["status"] = Json::parse(R"({"numberReady":3})");
  EXPECT_EQ(revisionHash(a), revisionHash(b));
}

// ---- through the parser and defaulting ---------------------------------------

constexpr const char* kFluentdYaml = R"(
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        ports:
        - containerPort: 24224
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
)";

TEST(RevisionHashDecoded, YamlAndJsonOfTheSameTemplateAgree) {
  const std::string json = R"({"kind":"DaemonSet","apiVersion":"apps/v1",
    "metadata":{"namespace":"kube-system","name":"fluentd-elasticsearch"},
    "spec":{"template":{"spec":{"volumes":[{"hostPath":{"path":"/var/log"},"name":"varlog"}],
      "terminationGracePeriodSeconds":30,
      "containers":[{"volumeMounts":[{"mountPath":"/var/log","name":"varlog"}],
        "resources":{"requests":{"memory":"200Mi","cpu":"100m"},"limits":{"memory":"200Mi"}},
        "ports":[{"containerPort":24224}],
        "image":"quay.io/fluentd_elasticsearch/fluentd:v2.5.2","name":"fluentd-elasticsearch"}],
      "tolerations":[{"effect":"NoSchedule","operator":"Exists","key":"node-role.kubernetes.io/master"}]},
      "metadata":{"labels":{"name":"fluentd-elasticsearch"}}},
    "selector":{"matchLabels":{"name":"fluentd-elasticsearch"}}}})";
  EXPECT_EQ(revisionHash(decodeOne(kFluentdYaml)), revisionHash(decodeOne(json)));
}

TEST(RevisionHashDecoded, ExplicitDefaultsHashLikeAbsentOnes) {
  // Everything the API server would fill in, spelled out.
  const std::string explicitDefaults = R"(
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  revisionHistoryLimit: 10
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
      maxSurge: 0
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      restartPolicy: Always
      dnsPolicy: ClusterFirst
      schedulerName: default-scheduler
      securityContext: {}
      tolerations:
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        ports:
        - containerPort: 24224
          protocol: TCP
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
          type: ""
)";
  EXPECT_EQ(revisionHash(decodeOne(explicitDefaults)), revisionHash(decodeOne(kFluentdYaml)));
}

TEST(RevisionHashDecoded, ChangedImageChangesTheHashAndMetadataDoesNot) {
  std::string newImage = kFluentdYaml;
  newImage.replace(newImage.find("v2.5.2"), 6, "v2.5.3");
  std::string relabelled = kFluentdYaml;
  relabelled.replace(relabelled.find("  namespace: kube-system\n"), 0, "  labels: {team: logging}\n");
  const std::string base = revisionHash(decodeOne(kFluentdYaml));
  EXPECT_NE(revisionHash(decodeOne(newImage)), base);
  EXPECT_EQ(revisionHash(decodeOne(relabelled)), base);
}

TEST(RevisionHashDecoded, EquivalentQuantitiesHashAlike) {
  std::string other = kFluentdYaml;
  other.replace(other.find("cpu: 100m"), 9, "cpu: 0.1");
  EXPECT_EQ(revisionHash(decodeOne(other)), revisionHash(decodeOne(kFluentdYaml)));
}

}  // namespace
}  // namespace daemonlet::model
