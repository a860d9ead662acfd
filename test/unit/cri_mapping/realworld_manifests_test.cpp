// Every valid DaemonSet published by a real project (../shared/testdata/
// realworld-daemonsets) maps to CRI configs with busybox as each container's
// image, or is refused with a reason naming the field: volumes a static node
// cannot provide, sysctls, runAsNonRoot against busybox's root user. The
// reasons are printed, for the runs of the same corpus against a real containerd.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "agent/model/decode.h"
#include "agent/model/validation.h"
#include "runtime/cri/container_config.h"
#include "runtime/cri/pod_volumes.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/sandbox_config.h"

namespace daemonlet::runtime::cri {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::runtime::v1;

const std::string kCorpus = DAEMONLET_REALWORLD_DIR;
constexpr const char* kBusybox = "docker.io/library/busybox:latest";

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const model::Json* rawPodSpecOf(const model::DaemonSet& ds) {
  const model::Json& raw = ds.raw;
  if (!raw.contains("spec") || !raw["spec"].contains("template") || !raw["spec"]["template"].contains("spec")) {
    return nullptr;
  }
  return &raw["spec"]["template"]["spec"];
}

// Every refusal must say which field is to blame.
void expectNamesAField(const base::Error& error, const std::string& what) {
  EXPECT_EQ(error.context.rfind("spec.", 0), 0u) << what << ": " << error.describe();
  EXPECT_FALSE(error.message.empty()) << what;
}

struct Outcome {
  int daemonSets = 0;
  int mappedContainers = 0;
  int refusedContainers = 0;
  int podsWithRefusedVolumes = 0;
  std::set<std::string> refusedVolumeKinds;
};

void mapDaemonSet(const std::string& file, const model::DaemonSet& ds, const fs::path& scratch, Outcome& outcome) {
  ++outcome.daemonSets;
  auto spec = std::make_shared<model::PodSpec>(ds.spec.template_.spec);
  for (auto* list : {&spec->initContainers, &spec->containers}) {
    for (auto& c : *list) c.image = kBusybox;
  }
  const std::string name = file + " " + ds.metadata.name;
  const PodRef pod{ds.metadata.namespace_, ds.metadata.name + "-x7k2p", "uid-" + ds.metadata.name, ds.metadata.name,
                   "ds-uid", "rev"};

  // Volumes: the refused kinds, each naming spec.volumes[i].<kind>.
  const auto reasons = unsupportedVolumeReasons(*spec);
  for (const std::string& reason : reasons) {
    std::cout << "  " << name << ": " << reason << "\n";
    EXPECT_EQ(reason.rfind("spec.volumes[", 0), 0u) << reason;
    const auto dot = reason.find("].") + 2;
    const std::string kind = reason.substr(dot, reason.find(':') - dot);
    EXPECT_TRUE(kind != "hostPath" && kind != "emptyDir") << reason;
    outcome.refusedVolumeKinds.insert(kind);
  }
  if (!reasons.empty()) ++outcome.podsWithRefusedVolumes;
  // The supported volumes stand in as scratch directories: the node's own paths stay untouched.
  PodVolumes volumes;
  for (const model::Volume& volume : spec->volumes) {
    const fs::path dir = scratch / pod.uid / volume.name;
    fs::create_directories(dir);
    volumes.byName[volume.name] = PreparedVolume{dir.string(), static_cast<bool>(volume.emptyDir)};
  }

  SandboxInputs sandboxInputs;
  sandboxInputs.pod = pod;
  sandboxInputs.spec = spec.get();
  sandboxInputs.rawPodSpec = rawPodSpecOf(ds);
  sandboxInputs.labels = ds.spec.template_.metadata.labels;
  sandboxInputs.annotations = ds.spec.template_.metadata.annotations;
  sandboxInputs.node = SandboxNode{"node-a", HostDns{{"10.0.0.2"}, {"example"}, {}}, "/var/log/pods", "/daemonlet", "a"};
  auto sandbox = makeSandboxConfig(sandboxInputs);
  if (!sandbox) {
    std::cout << "  " << name << ": sandbox refused: " << sandbox.error().describe() << "\n";
    expectNamesAField(sandbox.error(), name);
    return;
  }
  EXPECT_EQ(sandbox->linux().security_context().namespace_options().network(), spec->hostNetwork ? v1::NODE : v1::POD)
      << name;

  for (bool init : {true, false}) {
    const auto& list = init ? spec->initContainers : spec->containers;
    for (const model::Container& container : list) {
      ContainerStartRequest request;
      request.pod = pod;
      request.podSpec = spec;
      request.container = container;
      request.init = init;
      for (const auto& var : container.env) {
        if (!var.valueFrom) request.env[var.name] = var.value;
      }
      const std::string what = name + " " + container.name;
      bool privileged = container.securityContext && container.securityContext->privileged.value_or(false);
      auto mounts = containerMounts(*spec, container, volumes, request.env, privileged);
      if (!mounts) {
        std::cout << "  " << what << ": mounts refused: " << mounts.error().describe() << "\n";
        expectNamesAField(mounts.error(), what);
        ++outcome.refusedContainers;
        continue;
      }
      ContainerInputs inputs;
      inputs.request = &request;
      inputs.sandbox = &*sandbox;
      inputs.rawPodSpec = rawPodSpecOf(ds);
      inputs.imageRef = kBusybox;
      inputs.imageUser = ImageUser{0, ""};  // busybox runs as root
      inputs.mounts = std::move(*mounts);
      auto config = makeContainerConfig(inputs);
      if (!config) {
        std::cout << "  " << what << ": refused: " << config.error().describe() << "\n";
        expectNamesAField(config.error(), what);
        ++outcome.refusedContainers;
        continue;
      }
      ++outcome.mappedContainers;
      EXPECT_EQ(config->image().user_specified_image(), kBusybox);
      EXPECT_EQ(config->mounts_size(), static_cast<int>(container.volumeMounts.size())) << what;
      EXPECT_EQ(config->log_path(), container.name + "/0.log");
    }
  }
}

TEST(RealworldManifestsTest, EveryValidDaemonSetMapsOrNamesTheFieldItCannot) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << kCorpus;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  const fs::path scratch = fs::temp_directory_path() / ("cri_realworld_" + std::to_string(::getpid()));
  Outcome outcome;
  for (const fs::path& file : files) {
    model::DecodedFile decoded = model::decodeFile(readFile(file), file.filename().string());
    for (const model::DaemonSet& ds : decoded.daemonSets) {
      if (!model::validateDaemonSet(ds).empty()) continue;  // invalid: refused before any runtime sees it
      mapDaemonSet(file.filename().string(), ds, scratch, outcome);
    }
  }
  fs::remove_all(scratch);
  std::cout << outcome.daemonSets << " valid DaemonSets: " << outcome.mappedContainers << " containers mapped, "
            << outcome.refusedContainers << " refused; " << outcome.podsWithRefusedVolumes
            << " pods with volumes a static node cannot provide\n";
  EXPECT_GE(outcome.daemonSets, 30) << "the corpus has lost most of its valid manifests";
  EXPECT_GT(outcome.mappedContainers, 50);
  // The corpus holds each of these; each must be refused by name, not skipped.
  for (const char* kind : {"configMap", "secret", "projected"}) {
    EXPECT_EQ(outcome.refusedVolumeKinds.count(kind), 1u) << kind;
  }
}

}  // namespace
}  // namespace daemonlet::runtime::cri
