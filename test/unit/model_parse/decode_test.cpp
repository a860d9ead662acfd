#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace daemonlet::model {
namespace {

using testing::describeAll;
using testing::hasDiagnostic;
using testing::kMinimalDaemonSet;
using testing::yamlDocument;

TEST(DecodeDaemonSetTest, FillsEveryModelledField) {
  const std::string yaml = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  generateName: agent-
  namespace: kube-system
  uid: "1234"
  resourceVersion: "99"
  generation: 3
  labels: {app: agent}
  annotations: {note: "yes"}
spec:
  minReadySeconds: 5
  revisionHistoryLimit: 4
  selector:
    matchLabels: {app: agent}
    matchExpressions:
    - {key: tier, operator: In, values: [node, edge]}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: "10%", maxSurge: 1}
  template:
    metadata:
      labels: {app: agent}
    spec:
      nodeName: n1
      nodeSelector: {disk: ssd}
      hostNetwork: true
      hostPID: true
      hostIPC: true
      restartPolicy: Always
      terminationGracePeriodSeconds: 30
      activeDeadlineSeconds: 100
      dnsPolicy: ClusterFirstWithHostNet
      schedulerName: default-scheduler
      serviceAccountName: sa
      priorityClassName: system-node-critical
      priority: 2000001000
      runtimeClassName: gvisor
      hostname: h
      subdomain: s
      securityContext: {runAsUser: 1000, runAsGroup: 2000, runAsNonRoot: true, fsGroup: 3000, supplementalGroups: [4, 5]}
      ephemeralContainers: [{name: debug, image: busybox}]
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: os, operator: In, values: [linux]}]
              matchFields: [{key: metadata.name, operator: NotIn, values: [n2]}]
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 10
            preference:
              matchExpressions: [{key: zone, operator: Exists}]
      tolerations:
      - {key: k, operator: Equal, value: v, effect: NoExecute, tolerationSeconds: 60}
      volumes:
      - name: host
        hostPath: {path: /var/log, type: Directory}
      - name: scratch
        emptyDir: {medium: Memory, sizeLimit: 1Gi}
      - name: cfg
        configMap: {name: cfg}
      initContainers:
      - name: init
        image: busybox
        restartPolicy: Always
      containers:
      - name: main
        image: example/agent:1.0
        command: [/bin/agent]
        args: [--v, "2"]
        workingDir: /work
        stdin: true
        tty: true
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: FallbackToLogsOnError
        ports:
        - {name: http, containerPort: 8080, hostPort: 8080, protocol: TCP, hostIP: 0.0.0.0}
        env:
        - {name: A, value: x}
        - name: NODE
          valueFrom: {fieldRef: {apiVersion: v1, fieldPath: spec.nodeName}}
        - name: MEM
          valueFrom: {resourceFieldRef: {containerName: main, resource: limits.memory, divisor: 1Mi}}
        - name: C
          valueFrom: {configMapKeyRef: {name: cm, key: k, optional: true}}
        - name: S
          valueFrom: {secretKeyRef: {name: sec, key: k}}
        resources:
          limits: {cpu: 500m, memory: 128Mi}
          requests: {cpu: 0.1, memory: 64Mi}
        volumeMounts:
        - {name: host, mountPath: /host, readOnly: true, subPath: a, subPathExpr: "", mountPropagation: HostToContainer}
        livenessProbe:
          httpGet: {path: /healthz, port: http, host: localhost, scheme: HTTPS, httpHeaders: [{name: X, value: "y"}]}
          initialDelaySeconds: 1
          timeoutSeconds: 2
          periodSeconds: 3
          successThreshold: 1
          failureThreshold: 5
          terminationGracePeriodSeconds: 7
        readinessProbe:
          tcpSocket: {port: 8080, host: h}
        startupProbe:
          exec: {command: [cat, /ready]}
          grpc: {port: 9000, service: health}
        securityContext:
          privileged: true
          allowPrivilegeEscalation: false
          runAsUser: 0
          runAsGroup: 0
          runAsNonRoot: false
          readOnlyRootFilesystem: true
          procMount: Default
          capabilities: {add: [NET_ADMIN], drop: [ALL]}
)";
  const auto decoded = decodeDaemonSet(yamlDocument(yaml));
  ASSERT_TRUE(decoded.errors.empty()) << describeAll(decoded.errors);
  EXPECT_TRUE(decoded.warnings.empty()) << describeAll(decoded.warnings);
  const DaemonSet& ds = decoded.daemonSet;
  EXPECT_EQ(ds.apiVersion, "apps/v1");
  EXPECT_EQ(ds.kind, "DaemonSet");
  EXPECT_EQ(ds.metadata.name, "agent");
  EXPECT_EQ(ds.metadata.generateName, "agent-");
  EXPECT_EQ(ds.metadata.namespace_, "kube-system");
  EXPECT_EQ(ds.metadata.resourceVersion, "99");
  EXPECT_EQ(ds.metadata.generation, 3);
  EXPECT_EQ(ds.metadata.annotations.at("note"), "yes");
  EXPECT_EQ(ds.spec.minReadySeconds, 5);
  EXPECT_EQ(ds.spec.revisionHistoryLimit, 4);
  ASSERT_TRUE(ds.spec.selector);
  EXPECT_EQ(ds.spec.selector->matchLabels.at("app"), "agent");
  ASSERT_EQ(ds.spec.selector->matchExpressions.size(), 1u);
  EXPECT_EQ(ds.spec.selector->matchExpressions[0].op, "In");
  EXPECT_EQ(ds.spec.selector->matchExpressions[0].values, (std::vector<std::string>{"node", "edge"}));
  EXPECT_EQ(ds.spec.updateStrategy.type, "RollingUpdate");
  ASSERT_TRUE(ds.spec.updateStrategy.rollingUpdate);
  EXPECT_EQ(ds.spec.updateStrategy.rollingUpdate->maxUnavailable, IntOrString::fromString("10%"));
  EXPECT_EQ(ds.spec.updateStrategy.rollingUpdate->maxSurge, IntOrString::fromInt(1));

  const PodSpec& pod = ds.spec.template_.spec;
  EXPECT_EQ(ds.spec.template_.metadata.labels.at("app"), "agent");
  EXPECT_EQ(pod.nodeName, "n1");
  EXPECT_EQ(pod.nodeSelector.at("disk"), "ssd");
  EXPECT_TRUE(pod.hostNetwork && pod.hostPID && pod.hostIPC);
  EXPECT_EQ(pod.restartPolicy, "Always");
  EXPECT_EQ(pod.terminationGracePeriodSeconds, 30);
  EXPECT_EQ(pod.activeDeadlineSeconds, 100);
  EXPECT_EQ(pod.dnsPolicy, "ClusterFirstWithHostNet");
  EXPECT_EQ(pod.schedulerName, "default-scheduler");
  EXPECT_EQ(pod.serviceAccountName, "sa");
  EXPECT_EQ(pod.priorityClassName, "system-node-critical");
  EXPECT_EQ(pod.priority, 2000001000);
  EXPECT_EQ(pod.runtimeClassName, "gvisor");
  EXPECT_EQ(pod.hostname, "h");
  EXPECT_EQ(pod.subdomain, "s");
  EXPECT_TRUE(pod.hasEphemeralContainers);
  ASSERT_TRUE(pod.securityContext);
  EXPECT_EQ(pod.securityContext->runAsUser, 1000);
  EXPECT_EQ(pod.securityContext->runAsGroup, 2000);
  EXPECT_EQ(pod.securityContext->runAsNonRoot, true);
  EXPECT_EQ(pod.securityContext->fsGroup, 3000);
  EXPECT_EQ(pod.securityContext->supplementalGroups, (std::vector<std::int64_t>{4, 5}));

  ASSERT_TRUE(pod.affinity && pod.affinity->nodeAffinity);
  const NodeAffinity& na = *pod.affinity->nodeAffinity;
  ASSERT_TRUE(na.requiredDuringSchedulingIgnoredDuringExecution);
  ASSERT_EQ(na.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms.size(), 1u);
  const NodeSelectorTerm& term = na.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms[0];
  EXPECT_EQ(term.matchExpressions[0].key, "os");
  EXPECT_EQ(term.matchFields[0].op, "NotIn");
  ASSERT_EQ(na.preferredDuringSchedulingIgnoredDuringExecution.size(), 1u);
  EXPECT_EQ(na.preferredDuringSchedulingIgnoredDuringExecution[0].weight, 10);
  EXPECT_EQ(na.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].op,
            "Exists");

  ASSERT_EQ(pod.tolerations.size(), 1u);
  EXPECT_EQ(pod.tolerations[0].op, "Equal");
  EXPECT_EQ(pod.tolerations[0].effect, "NoExecute");
  EXPECT_EQ(pod.tolerations[0].tolerationSeconds, 60);

  ASSERT_EQ(pod.volumes.size(), 3u);
  ASSERT_TRUE(pod.volumes[0].hostPath);
  EXPECT_EQ(pod.volumes[0].hostPath->type, "Directory");
  EXPECT_EQ(pod.volumes[0].sourceKinds, (std::vector<std::string>{"hostPath"}));
  ASSERT_TRUE(pod.volumes[1].emptyDir && pod.volumes[1].emptyDir->sizeLimit);
  EXPECT_EQ(pod.volumes[1].emptyDir->sizeLimit->canonical(), "1Gi");
  EXPECT_EQ(pod.volumes[2].sourceKinds, (std::vector<std::string>{"configMap"}));
  EXPECT_EQ(pod.volumes[2].raw["configMap"]["name"], "cfg");

  ASSERT_EQ(pod.initContainers.size(), 1u);
  EXPECT_EQ(pod.initContainers[0].restartPolicy, "Always");
  ASSERT_EQ(pod.containers.size(), 1u);
  const Container& c = pod.containers[0];
  EXPECT_EQ(c.command, (std::vector<std::string>{"/bin/agent"}));
  EXPECT_EQ(c.args, (std::vector<std::string>{"--v", "2"}));
  EXPECT_EQ(c.workingDir, "/work");
  EXPECT_TRUE(c.stdin_ && c.tty);
  EXPECT_EQ(c.imagePullPolicy, "IfNotPresent");
  EXPECT_EQ(c.terminationMessagePolicy, "FallbackToLogsOnError");
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].containerPort, 8080);
  EXPECT_EQ(c.ports[0].hostIP, "0.0.0.0");
  ASSERT_EQ(c.env.size(), 5u);
  EXPECT_EQ(c.env[1].valueFrom->fieldRef->fieldPath, "spec.nodeName");
  EXPECT_EQ(c.env[2].valueFrom->resourceFieldRef->divisor->canonical(), "1Mi");
  EXPECT_EQ(c.env[3].valueFrom->configMapKeyRef->optional, true);
  EXPECT_EQ(c.env[4].valueFrom->secretKeyRef->name, "sec");
  EXPECT_EQ(c.resources.limits.at("cpu").canonical(), "500m");
  EXPECT_EQ(c.resources.requests.at("cpu").canonical(), "100m");  // number 0.1 read as a quantity
  EXPECT_EQ(c.volumeMounts[0].mountPropagation, "HostToContainer");
  EXPECT_TRUE(c.volumeMounts[0].readOnly);
  ASSERT_TRUE(c.livenessProbe && c.livenessProbe->httpGet);
  EXPECT_EQ(c.livenessProbe->httpGet->port, IntOrString::fromString("http"));
  EXPECT_EQ(c.livenessProbe->httpGet->httpHeaders[0].value, "y");
  EXPECT_EQ(c.livenessProbe->failureThreshold, 5);
  EXPECT_EQ(c.livenessProbe->terminationGracePeriodSeconds, 7);
  EXPECT_EQ(c.readinessProbe->tcpSocket->port, IntOrString::fromInt(8080));
  EXPECT_EQ(c.startupProbe->exec->command.size(), 2u);
  EXPECT_EQ(c.startupProbe->grpc->service, "health");
  ASSERT_TRUE(c.securityContext && c.securityContext->capabilities);
  EXPECT_EQ(c.securityContext->privileged, true);
  EXPECT_EQ(c.securityContext->allowPrivilegeEscalation, false);
  EXPECT_EQ(c.securityContext->capabilities->drop, (std::vector<std::string>{"ALL"}));
  EXPECT_EQ(c.securityContext->procMount, "Default");
  EXPECT_EQ(ds.metadata.uid, "1234");
  EXPECT_EQ(ds.raw["spec"]["minReadySeconds"], 5);  // raw keeps the object as read
}

TEST(DecodeDaemonSetTest, UidGivenAsNumberIsATypeError) {
  std::string yaml = kMinimalDaemonSet;
  yaml.replace(yaml.find("  name: agent\n"), 14, "  name: agent\n  uid: 1234\n");
  const auto decoded = decodeDaemonSet(yamlDocument(yaml));
  EXPECT_TRUE(hasDiagnostic(decoded.errors, "metadata.uid", "expected string"))
      << describeAll(decoded.errors);
}

TEST(DecodeDaemonSetTest, ApiVersionAndKindAreChecked) {
  struct Case {
    const char* header;
    const char* path;
    const char* fragment;
  };
  const Case cases[] = {
      {"apiVersion: extensions/v1beta1\nkind: DaemonSet\n", "apiVersion",
       "apiVersion extensions/v1beta1 is not supported: DaemonSet requires apps/v1"},
      {"apiVersion: apps/v1beta2\nkind: DaemonSet\n", "apiVersion", "requires apps/v1"},
      {"apiVersion: apps/v1beta1\nkind: DaemonSet\n", "apiVersion", "requires apps/v1"},
      {"apiVersion: v1\nkind: DaemonSet\n", "apiVersion", "requires apps/v1"},
      {"kind: DaemonSet\n", "apiVersion", "required"},
      {"apiVersion: apps/v1\n", "kind", "required"},
      {"apiVersion: apps/v1\nkind: Deployment\n", "kind", "not DaemonSet"},
      {"apiVersion: 1\nkind: DaemonSet\n", "apiVersion", "expected string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    const auto decoded = decodeDaemonSet(yamlDocument(std::string(c.header) + "metadata: {name: x}\n"));
    EXPECT_TRUE(hasDiagnostic(decoded.errors, c.path, c.fragment)) << describeAll(decoded.errors);
  }
}

TEST(DecodeDaemonSetTest, TypeErrorsNameTheFieldPath) {
  struct Case {
    const char* containerYaml;  // replaces the container list
    const char* path;
  };
  const Case cases[] = {
      {"      containers: {name: main}\n", "spec.template.spec.containers"},
      {"      containers:\n      - name: main\n        ports: [{containerPort: 1}, {containerPort: true}]\n",
       "spec.template.spec.containers[0].ports[1].containerPort"},
      {"      containers:\n      - name: main\n        ports: [{containerPort: 4294967296}]\n",
       "spec.template.spec.containers[0].ports[0].containerPort"},
      {"      containers:\n      - name: main\n        ports: [{containerPort: 80.5}]\n",
       "spec.template.spec.containers[0].ports[0].containerPort"},
      {"      containers:\n      - name: main\n        env: [{name: A, value: 8080}]\n",
       "spec.template.spec.containers[0].env[0].value"},
      {"      containers:\n      - name: main\n        args: [a, 1]\n",
       "spec.template.spec.containers[0].args[1]"},
      {"      containers:\n      - name: main\n        resources: {limits: {cpu: lots}}\n",
       "spec.template.spec.containers[0].resources.limits[cpu]"},
      {"      containers:\n      - name: main\n        resources: {limits: {cpu: true}}\n",
       "spec.template.spec.containers[0].resources.limits[cpu]"},
      {"      containers:\n      - name: main\n        livenessProbe: {httpGet: {port: true}}\n",
       "spec.template.spec.containers[0].livenessProbe.httpGet.port"},
      {"      containers:\n      - name: main\n        stdin: \"yes\"\n",
       "spec.template.spec.containers[0].stdin"},
      {"      containers: []\n      hostNetwork: 1\n", "spec.template.spec.hostNetwork"},
      {"      containers: []\n      nodeSelector: {disk: 1}\n", "spec.template.spec.nodeSelector[disk]"},
      {"      containers: []\n      tolerations: [{key: k, tolerationSeconds: soon}]\n",
       "spec.template.spec.tolerations[0].tolerationSeconds"},
      {"      containers: []\n      volumes: [{name: v, emptyDir: {sizeLimit: 1x}}]\n",
       "spec.template.spec.volumes[0].emptyDir.sizeLimit"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.containerYaml);
    std::string yaml = kMinimalDaemonSet;
    yaml.erase(yaml.find("      containers:"));
    yaml += c.containerYaml;
    const auto decoded = decodeDaemonSet(yamlDocument(yaml));
    EXPECT_TRUE(hasDiagnostic(decoded.errors, c.path)) << describeAll(decoded.errors);
  }
}

TEST(DecodeDaemonSetTest, LabelValueMustBeAString) {
  std::string yaml = kMinimalDaemonSet;
  yaml += "  minReadySeconds: 1\n";
  yaml.replace(yaml.find("labels: {app: agent}"), 20, "labels: {app: agent, enabled: true}");
  const auto decoded = decodeDaemonSet(yamlDocument(yaml));
  EXPECT_TRUE(hasDiagnostic(decoded.errors, "spec.template.metadata.labels[enabled]", "expected string"))
      << describeAll(decoded.errors);
}

TEST(DecodeDaemonSetTest, UnknownFieldsWarnButKnownUnmodelledFieldsDoNot) {
  const std::string yaml =
      std::string(kMinimalDaemonSet) +
      "        foo: 1\n"
      "        envFrom: [{configMapRef: {name: x}}]\n"
      "        lifecycle: {preStop: {exec: {command: [x]}}}\n"
      "        resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]\n"
      "        volumeDevices: []\n"
      "        stdinOnce: false\n"
      "        resources: {claims: [{name: gpu}]}\n"
      "        livenessProbe: {grpc: {port: 1}}\n"
      "        securityContext: {seLinuxOptions: {}, seccompProfile: {type: RuntimeDefault},\n"
      "                          appArmorProfile: {type: RuntimeDefault}, windowsOptions: {}}\n"
      "      dnsConfig: {nameservers: [1.1.1.1]}\n"
      "      imagePullSecrets: [{name: reg}]\n"
      "      serviceAccount: sa\n"
      "      enableServiceLinks: false\n"
      "      topologySpreadConstraints: []\n"
      "      overhead: {cpu: 1}\n"
      "      readinessGates: []\n"
      "      preemptionPolicy: Never\n"
      "      os: {name: linux}\n"
      "      hostUsers: false\n"
      "      shareProcessNamespace: false\n"
      "      setHostnameAsFQDN: false\n"
      "      automountServiceAccountToken: false\n"
      "      hostAliases: []\n"
      "      securityContext: {sysctls: [], fsGroupChangePolicy: Always}\n"
      "      affinity: {podAffinity: {}, podAntiAffinity: {}}\n"
      "      tolerations: [{operator: Exists, bar: 1}]\n"
      "      volumes:\n"
      "      - {name: a, secret: {secretName: s}}\n"
      "      - {name: b, projected: {sources: []}}\n"
      "      - {name: c, csi: {driver: d}}\n"
      "      - {name: d, nonsense: {}}\n"
      "  templateGeneration: 2\n"
      "status: {currentNumberScheduled: 1}\n";
  std::string withMeta = yaml;
  withMeta.replace(withMeta.find("  name: agent\n"), 14,
                   "  name: agent\n  creationTimestamp: null\n  ownerReferences: []\n  managedFields: []\n"
                   "  finalizers: [x]\n  selfLink: /x\n  colour: blue\n");
  const auto decoded = decodeDaemonSet(yamlDocument(withMeta));
  EXPECT_TRUE(decoded.errors.empty()) << describeAll(decoded.errors);
  const std::vector<std::string> expected = {
      "metadata.colour",
      "spec.template.spec.containers[0].foo",
      "spec.template.spec.tolerations[0].bar",
      "spec.template.spec.volumes[3].nonsense",
      "spec.templateGeneration",
  };
  std::vector<std::string> got;
  for (const auto& w : decoded.warnings) {
    got.push_back(w.fieldPath);
    EXPECT_EQ(w.message, "unknown field \"" + w.fieldPath + "\"");
    EXPECT_EQ(w.severity, Diagnostic::Severity::kWarning);
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected) << describeAll(decoded.warnings);
  // Unknown fields survive in raw.
  EXPECT_EQ(decoded.daemonSet.raw["spec"]["template"]["spec"]["containers"][0]["foo"], 1);
  EXPECT_EQ(decoded.daemonSet.spec.template_.spec.volumes[3].sourceKinds,
            (std::vector<std::string>{"nonsense"}));
}

TEST(DecodeDaemonSetTest, NonObjectDocumentIsAnError) {
  Document document;
  document.object = Json::array({1, 2});
  const auto decoded = decodeDaemonSet(document);
  ASSERT_EQ(decoded.errors.size(), 1u);
  EXPECT_NE(decoded.errors[0].message.find("expected object"), std::string::npos);
}

TEST(DecodeDaemonSetTest, JsonNullMeansAbsent) {
  const auto decoded = decodeDaemonSet(yamlDocument(
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x, labels: null}\nspec: {selector: null, "
      "revisionHistoryLimit: null, template: {spec: {containers: null}}}\n"));
  EXPECT_TRUE(decoded.errors.empty()) << describeAll(decoded.errors);
  EXPECT_FALSE(decoded.daemonSet.spec.selector.has_value());
  EXPECT_FALSE(decoded.daemonSet.spec.revisionHistoryLimit.has_value());
}

TEST(DecodeNodeTest, ReadsNameLabelsTaintsAndUnschedulable) {
  const auto decoded = decodeNode(yamlDocument(R"(apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {kubernetes.io/os: linux}
spec:
  podCIDR: 10.0.0.0/24
  unschedulable: true
  taints:
  - {key: dedicated, value: infra, effect: NoSchedule, timeAdded: null}
status: {capacity: {cpu: "4"}}
)"));
  ASSERT_TRUE(decoded.errors.empty()) << describeAll(decoded.errors);
  EXPECT_TRUE(decoded.warnings.empty()) << describeAll(decoded.warnings);
  EXPECT_EQ(decoded.node.metadata.name, "worker-1");
  EXPECT_EQ(decoded.node.metadata.labels.at("kubernetes.io/os"), "linux");
  EXPECT_TRUE(decoded.node.unschedulable);
  ASSERT_EQ(decoded.node.taints.size(), 1u);
  EXPECT_EQ(decoded.node.taints[0].key, "dedicated");
  EXPECT_EQ(decoded.node.taints[0].value, "infra");
  EXPECT_EQ(decoded.node.taints[0].effect, "NoSchedule");
  EXPECT_EQ(decoded.node.raw["status"]["capacity"]["cpu"], "4");
}

TEST(DecodeNodeTest, WrongKindAndTypeErrors) {
  EXPECT_FALSE(decodeNode(yamlDocument("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")).errors.empty());
  const auto decoded = decodeNode(yamlDocument("apiVersion: v1\nkind: Node\nspec: {taints: [{key: 1}]}\n"));
  EXPECT_TRUE(hasDiagnostic(decoded.errors, "spec.taints[0].key")) << describeAll(decoded.errors);
}

}  // namespace
}  // namespace daemonlet::model
