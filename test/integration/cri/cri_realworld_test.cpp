// The real-world corpus on a real containerd: every valid DaemonSet published by
// a real project (../shared/testdata/realworld-daemonsets), with each container's
// image replaced by the local busybox image and its command by one busybox has,
// is run by the real agent through the CRI. Each must end as the verdict in
// realworld_expectations.tsv says, decided by reading the manifest: Running (every
// container), NotHere (the node's labels or taints keep it off this node), or
// Refused with a reason naming the field the node cannot provide.
//
// What else changes, and why: imagePullPolicy becomes IfNotPresent (the busybox
// image exists only in this containerd; there is no registry to pull it from).
// Everything else (volumes, hostPath types, security contexts, probes, resources,
// env, host namespaces) stays as published. Pods that are not hostNetwork get a
// real CNI bridge network from the private containerd. hostPath volumes of type
// DirectoryOrCreate/FileOrCreate create their paths on this host, as the kubelet
// would; the test removes the ones it created (when still empty) afterwards.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/model/decode.h"
#include "agent/model/validation.h"
#include "test/integration/cri/cri_agent_fixture.h"

namespace daemonlet::e2e {
namespace {

// Before the first test asks for the shared containerd: give it a pod network.
[[maybe_unused]] const bool kPodNetworkRequested = (testing::requestSharedPodNetwork(), true);

const fs::path kCorpusDir = DAEMONLET_REALWORLD_DIR;
const fs::path kVerdicts = DAEMONLET_REALWORLD_CRI_VERDICTS;

// One line of realworld_expectations.tsv: file, DaemonSet name, verdict
// ("Running", "NotHere" or "Refused:<text the reason must contain>"), why.
struct CorpusVerdict {
  std::string file;
  std::string daemonSet;
  std::string verdict;
  std::string why;
};

std::vector<CorpusVerdict> loadVerdicts() {
  std::vector<CorpusVerdict> out;
  std::ifstream in(kVerdicts);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    CorpusVerdict verdict;
    std::getline(fields, verdict.file, '\t');
    std::getline(fields, verdict.daemonSet, '\t');
    std::getline(fields, verdict.verdict, '\t');
    std::getline(fields, verdict.why, '\t');
    out.push_back(verdict);
  }
  return out;
}

// The files named in the verdicts, each once.
std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  for (const CorpusVerdict& verdict : loadVerdicts()) {
    if (files.empty() || files.back() != verdict.file) files.push_back(verdict.file);
  }
  return files;
}

std::string readWhole(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Image and command replaced, as the file comment says; init containers that
// are not sidecars complete at once, the rest keep running until SIGTERM (a
// shell as PID 1 has no default action for it, so it traps it).
void useBusybox(Json& containers, bool init) {
  if (!containers.is_array()) return;
  for (Json& container : containers) {
    container["image"] = testing::kBusyboxImage;
    container["imagePullPolicy"] = "IfNotPresent";
    const bool sidecar = init && container.value("restartPolicy", "") == "Always";
    container["command"] =
        Json::array({"/bin/sh", "-c", init && !sidecar ? "true" : "trap 'exit 0' TERM; sleep 3600 & wait"});
    container.erase("args");
  }
}

// hostPath paths that may be created for this pod and do not exist yet: the
// agent makes DirectoryOrCreate and FileOrCreate ones, containerd makes a
// missing untyped one a directory.
std::vector<fs::path> pathsThePodMayCreate(const Json& podSpecJson) {
  std::vector<fs::path> out;
  if (!podSpecJson.contains("volumes")) return out;
  for (const Json& volume : podSpecJson["volumes"]) {
    if (!volume.contains("hostPath")) continue;
    const std::string type = volume["hostPath"].value("type", "");
    const fs::path path = volume["hostPath"].value("path", "");
    std::error_code ec;
    if ((type.empty() || type == "DirectoryOrCreate" || type == "FileOrCreate") && !fs::exists(path, ec)) out.push_back(path);
  }
  return out;
}

// Removes `path` when it is an empty file or directory, then its parents while
// they are empty and were not there before (they did not exist when noted).
void removeCreatedPath(const fs::path& path, const std::set<fs::path>& existedBefore) {
  std::error_code ec;
  for (fs::path at = path; !at.empty() && at != at.root_path() && !existedBefore.count(at); at = at.parent_path()) {
    const bool empty = fs::is_directory(at, ec) ? fs::is_empty(at, ec) : fs::file_size(at, ec) == 0;
    if (ec || !empty || !fs::remove(at, ec)) return;
  }
}

// The parents of `path` that exist now (so are not ours to remove).
void noteExistingParents(const fs::path& path, std::set<fs::path>& existing) {
  std::error_code ec;
  for (fs::path at = path.parent_path(); !at.empty() && at != at.root_path(); at = at.parent_path()) {
    if (fs::exists(at, ec)) existing.insert(at);
  }
}

class CriRealworldTest : public CriAgentTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void TearDown() override {
    // The DaemonSets removed, the agent stops their pods and removes what it
    // made in containerd, so the next file starts from an empty containerd.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "manifests", ec)) fs::remove(entry.path(), ec);
    const bool gone = agent_.running() && waitUntil([&] { return getJson("/api/v1/pods")["items"].empty(); }, 60s);
    EXPECT_TRUE(gone) << "the pods of removed DaemonSets did not go";
    for (const std::string& uid : podUids_) {
      EXPECT_TRUE(waitUntil([&] { return criObjectsOf(uid).empty(); }, 20s))
          << "pod " << uid << " left sandboxes or containers behind";
    }
    CriAgentTest::TearDown();
    // The agent and its pods are gone: what hostPath volumes created can go too.
    for (const fs::path& path : createdPaths_) removeCreatedPath(path, existingParents_);
  }

  // What the agent shows for one DaemonSet now: "NotHere: <reasons>",
  // "Running", "Refused: <reason: message>" or "" while it is not settled.
  std::string outcomeOf(const std::string& namespace_, const std::string& name) const {
    const Json status = getJson("/status");
    for (const Json& ds : status.value("daemonSets", Json::array())) {
      if (ds.value("namespace", "") != namespace_ || ds.value("name", "") != name) continue;
      if (!ds["decision"].value("shouldRun", true)) return "NotHere: " + ds["decision"]["reasons"].dump();
    }
    for (const Json& pod : getJson("/api/v1/namespaces/" + namespace_ + "/pods").value("items", Json::array())) {
      const Json& owners = pod["metadata"]["ownerReferences"];
      if (owners.empty() || owners[0].value("name", "") != name) continue;
      podUids_.insert(pod["metadata"].value("uid", ""));
      const std::string outcome = containersOutcome(pod["status"]);
      // A running pod has an address: the node's (hostNetwork) or one from the CNI bridge.
      if (outcome == "Running" && pod["status"].value("podIP", "").empty()) return "";
      return outcome;
    }
    return "";
  }

  static std::string containersOutcome(const Json& podStatus) {
    // Init containers end before the others start (sidecars keep running): only
    // the regular containers must run.
    bool allRunning = podStatus.contains("containerStatuses") && !podStatus["containerStatuses"].empty();
    for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
      for (const Json& container : podStatus.value(list, Json::array())) {
        const Json& state = container["state"];
        if (std::string(list) == "containerStatuses" && !state.contains("running")) allRunning = false;
        if (!state.contains("waiting")) continue;
        const std::string reason = state["waiting"].value("reason", "");
        const std::string message = state["waiting"].value("message", "");
        if (reason != "ContainerCreating" && reason != "PodInitializing" && !message.empty()) {
          return "Refused: " + container.value("name", "") + ": " + reason + ": " + message;
        }
      }
    }
    return allRunning ? "Running" : "";
  }

  mutable std::set<std::string> podUids_;
  std::vector<fs::path> createdPaths_;
  std::set<fs::path> existingParents_;
};

TEST_P(CriRealworldTest, RunsOrSaysWhyNot) {
  const std::string file = GetParam();
  std::map<std::string, CorpusVerdict> expected;  // by DaemonSet name
  for (const CorpusVerdict& verdict : loadVerdicts()) {
    if (verdict.file == file) expected[verdict.daemonSet] = verdict;
  }
  model::DecodedFile decoded = model::decodeFile(readWhole(kCorpusDir / file), file);
  std::vector<std::pair<std::string, std::string>> placed;  // (namespace, name) of the valid DaemonSets
  for (const model::DaemonSet& ds : decoded.daemonSets) {
    if (!model::validateDaemonSet(ds).empty()) continue;  // refused before any runtime sees it
    Json manifest = ds.raw;
    Json& spec = manifest["spec"]["template"]["spec"];
    useBusybox(spec["containers"], false);
    if (spec.contains("initContainers")) useBusybox(spec["initContainers"], true);
    for (const fs::path& path : pathsThePodMayCreate(spec)) {
      createdPaths_.push_back(path);
      noteExistingParents(path, existingParents_);
    }
    writeManifest(ds.metadata.name + ".json", manifest);
    placed.emplace_back(ds.metadata.namespace_, ds.metadata.name);
  }
  ASSERT_EQ(placed.size(), expected.size()) << file << ": the verdicts name another set of valid DaemonSets";
  ASSERT_NO_FATAL_FAILURE(startAgent());

  for (const auto& [namespace_, name] : placed) {
    ASSERT_EQ(expected.count(name), 1u) << file << ": no verdict for DaemonSet " << name;
    const CorpusVerdict& verdict = expected[name];
    std::string outcome;
    waitUntil([&] { return !(outcome = outcomeOf(namespace_, name)).empty(); }, 60s);
    std::cout << file << " " << name << ": " << (outcome.empty() ? "(not settled)" : outcome) << "\n";
    const std::string refusedPrefix = "Refused:";
    if (verdict.verdict == "Running" || verdict.verdict == "NotHere") {
      EXPECT_EQ(outcome.substr(0, outcome.find(':')), verdict.verdict) << name << ": " << verdict.why;
    } else {
      ASSERT_EQ(verdict.verdict.rfind(refusedPrefix, 0), 0u) << "unknown verdict " << verdict.verdict;
      EXPECT_EQ(outcome.rfind("Refused: ", 0), 0u) << name << ": " << outcome << " (" << verdict.why << ")";
      EXPECT_NE(outcome.find(verdict.verdict.substr(refusedPrefix.size())), std::string::npos)
          << name << ": " << outcome << " (" << verdict.why << ")";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, CriRealworldTest, ::testing::ValuesIn(corpusFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.rfind(".yaml"));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace daemonlet::e2e
