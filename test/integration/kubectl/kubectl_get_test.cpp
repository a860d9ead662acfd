// kubectl reads the node: discovery, get with server-side Table printing (wide,
// all namespaces), selectors, YAML output, DaemonSets, nodes, namespaces and
// errors as Kubernetes Status objects.
#include "test/integration/kubectl/kubectl_fixture.h"

namespace daemonlet::e2e {
namespace {

// The whitespace-separated words of the line of `output` that contains `needle`.
std::vector<std::string> wordsOfLine(const std::string& output, const std::string& needle) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(needle) == std::string::npos) continue;
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
  }
  return {};
}

TEST_F(KubectlTest, GetPodsPrintsTheApiServersColumnsWithSelectors) {
  Json web = daemonSet("web", {"sleep"});
  web["spec"]["template"]["metadata"]["labels"]["tier"] = "front";
  writeManifest("web.json", web);
  Json other = daemonSet("other", {"sleep"});
  other["metadata"]["namespace"] = "infra";
  writeManifest("other.json", other);
  startAgent();
  std::string pod = runningPodName("web");
  ASSERT_FALSE(pod.empty());
  ASSERT_FALSE(runningPodName("other").empty());

  auto wide = kubectl({"get", "pods", "-o", "wide"});
  ASSERT_EQ(wide.exitCode, 0) << wide.output;
  EXPECT_EQ(wordsOfLine(wide.output, "NAME"),
            (std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE",
                                      "READINESS", "GATES"}))
      << wide.output;
  auto row = wordsOfLine(wide.output, pod);
  ASSERT_GE(row.size(), 7u) << wide.output;
  EXPECT_EQ(row[1], "1/1");
  EXPECT_EQ(row[2], "Running");
  EXPECT_EQ(row[3], "0");
  EXPECT_EQ(row[6], "n1");
  EXPECT_EQ(wide.output.find("other-"), std::string::npos) << "default namespace only:\n" << wide.output;

  auto all = kubectl({"get", "pods", "-A"});
  ASSERT_EQ(all.exitCode, 0) << all.output;
  EXPECT_EQ(wordsOfLine(all.output, "NAME")[0], "NAMESPACE") << all.output;
  EXPECT_EQ(wordsOfLine(all.output, "other-").at(0), "infra") << all.output;
  EXPECT_EQ(wordsOfLine(all.output, pod).at(0), "default") << all.output;

  auto labelled = kubectl({"get", "pods", "-A", "-l", "tier=front"});
  EXPECT_NE(labelled.output.find(pod), std::string::npos) << labelled.output;
  EXPECT_EQ(labelled.output.find("other-"), std::string::npos) << labelled.output;
  auto notIn = kubectl({"get", "pods", "-A", "-l", "app notin (web)"});
  EXPECT_EQ(notIn.output.find(pod), std::string::npos) << notIn.output;
  EXPECT_NE(notIn.output.find("other-"), std::string::npos) << notIn.output;

  auto byPhase = kubectl({"get", "pods", "-A", "--field-selector", "status.phase=Running,metadata.namespace=infra"});
  EXPECT_NE(byPhase.output.find("other-"), std::string::npos) << byPhase.output;
  EXPECT_EQ(byPhase.output.find(pod), std::string::npos) << byPhase.output;
  auto elsewhere = kubectl({"get", "pods", "--field-selector", "spec.nodeName=n2"});
  EXPECT_EQ(elsewhere.exitCode, 0) << elsewhere.output;
  EXPECT_NE(elsewhere.output.find("No resources found in default namespace."), std::string::npos) << elsewhere.output;

  auto yaml = kubectl({"get", "pod", pod, "-o", "yaml"});
  ASSERT_EQ(yaml.exitCode, 0) << yaml.output;
  EXPECT_NE(yaml.output.find("kind: Pod"), std::string::npos) << yaml.output;
  EXPECT_NE(yaml.output.find("nodeName: n1"), std::string::npos) << yaml.output;
  EXPECT_NE(yaml.output.find("resourceVersion: \""), std::string::npos) << yaml.output;

  // Paging: one pod per page, and every pod over the pages.
  auto paged = kubectl({"get", "pods", "-A", "--chunk-size=1", "-o", "name"});
  EXPECT_NE(paged.output.find("pod/" + pod), std::string::npos) << paged.output;
  EXPECT_NE(paged.output.find("pod/other-"), std::string::npos) << paged.output;
}

TEST_F(KubectlTest, DaemonSetsNodesNamespacesAndErrors) {
  Json web = daemonSet("web", {"sleep"});
  podSpec(web)["nodeSelector"] = {{"kubernetes.io/os", "linux"}};
  writeManifest("web.json", web);
  writeConfig("restartBackoff:\n  initial: 100ms\nnode:\n  labels:\n    kubernetes.io/os: linux\n");
  startAgent();
  ASSERT_FALSE(runningPodName("web").empty());

  auto ds = kubectl({"get", "ds", "-o", "wide"});
  ASSERT_EQ(ds.exitCode, 0) << ds.output;
  EXPECT_EQ(wordsOfLine(ds.output, "NAME"),
            (std::vector<std::string>{"NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE",
                                      "SELECTOR", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"}))
      << ds.output;
  auto row = wordsOfLine(ds.output, "web");
  ASSERT_GE(row.size(), 11u) << ds.output;
  EXPECT_EQ(std::vector<std::string>(row.begin(), row.begin() + 7),
            (std::vector<std::string>{"web", "1", "1", "1", "1", "1", "kubernetes.io/os=linux"}))
      << ds.output;
  EXPECT_EQ(row[8], "main");
  EXPECT_EQ(row[10], "app=web");

  auto nodes = kubectl({"get", "nodes"});
  ASSERT_EQ(nodes.exitCode, 0) << nodes.output;
  auto node = wordsOfLine(nodes.output, "n1");
  ASSERT_GE(node.size(), 5u) << nodes.output;
  EXPECT_EQ(node[1], "Ready");

  auto namespaces = kubectl({"get", "ns"});
  EXPECT_EQ(wordsOfLine(namespaces.output, "default").at(1), "Active") << namespaces.output;

  auto missing = kubectl({"get", "pod", "nope"});
  EXPECT_NE(missing.exitCode, 0);
  EXPECT_NE(missing.output.find("pods \"nope\" not found"), std::string::npos) << missing.output;
  auto unserved = kubectl({"get", "deployments"});
  EXPECT_NE(unserved.exitCode, 0);
  EXPECT_NE(unserved.output.find("the server doesn't have a resource type \"deployments\""), std::string::npos)
      << unserved.output;
  auto write = kubectl({"label", "ds", "web", "x=y"});
  EXPECT_NE(write.exitCode, 0);
  EXPECT_NE(write.output.find("manifest directory"), std::string::npos) << write.output;

  // Not kubectl, but what any client meets: Status bodies, never HTML.
  httplib::Headers protobufOnly = {{"Accept", "application/vnd.kubernetes.protobuf"}};
  auto refused = client().Get("/api/v1/pods", protobufOnly);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 406);
  EXPECT_EQ(Json::parse(refused->body).value("kind", ""), "Status");
  auto aggregated = client().Get(
      "/apis", {{"Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"}});
  ASSERT_TRUE(aggregated);
  EXPECT_EQ(aggregated->status, 200);
  EXPECT_EQ(Json::parse(aggregated->body).value("kind", ""), "APIGroupList");
}

}  // namespace
}  // namespace daemonlet::e2e
