#include "test/integration/cri/support/oci_image.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "test/integration/support/run_command.h"

namespace daemonlet::testing {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kTar = "/usr/bin/tar";
constexpr const char* kSha256sum = "/usr/bin/sha256sum";

bool run(const std::vector<std::string>& argv, std::string& error) {
  const CommandResult result = runCommand(argv);
  if (result.exitCode == 0) return true;
  error = argv[0] + " failed (exit " + std::to_string(result.exitCode) + "): " + result.err;
  return false;
}

// Moves `file` into the layout's blob store under its digest; returns the
// descriptor {mediaType, digest, size} ("" digest on failure).
Json addBlob(const fs::path& layout, const fs::path& file, const std::string& mediaType, std::string& error) {
  const CommandResult sum = runCommand({kSha256sum, file.string()});
  if (sum.exitCode != 0 || sum.out.size() < 64) {
    error = "sha256sum " + file.string() + ": " + sum.err;
    return Json();
  }
  const std::string hex = sum.out.substr(0, 64);
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  fs::rename(file, layout / "blobs" / "sha256" / hex, ec);
  if (ec) {
    error = "moving " + file.string() + " into the blob store: " + ec.message();
    return Json();
  }
  return {{"mediaType", mediaType}, {"digest", "sha256:" + hex}, {"size", size}};
}

bool writeJson(const fs::path& path, const Json& json, std::string& error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << json.dump();
  if (out) return true;
  error = "cannot write " + path.string();
  return false;
}

}  // namespace

bool writeOciArchive(const OciImageSpec& spec, const fs::path& workDir, const fs::path& archive,
                     std::string& error) {
  std::error_code ec;
  const fs::path layout = workDir / "layout";
  fs::remove_all(layout, ec);
  fs::create_directories(layout / "blobs" / "sha256", ec);
  if (ec) {
    error = "creating " + layout.string() + ": " + ec.message();
    return false;
  }

  const fs::path layerFile = workDir / "layer.tar";
  if (!run({kTar, "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C",
            spec.rootfs.string(), "-cf", layerFile.string(), "."},
           error)) {
    return false;
  }
  const Json layer = addBlob(layout, layerFile, "application/vnd.oci.image.layer.v1.tar", error);
  if (layer.is_null()) return false;

  Json imageConfig = {{"Env", spec.env}};
  if (!spec.user.empty()) imageConfig["User"] = spec.user;
  if (!spec.entrypoint.empty()) imageConfig["Entrypoint"] = spec.entrypoint;
  if (!spec.cmd.empty()) imageConfig["Cmd"] = spec.cmd;
  // An uncompressed layer's diff id is its own digest.
  const Json config = {{"architecture", "amd64"},
                       {"os", "linux"},
                       {"config", imageConfig},
                       {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array({layer["digest"]})}}}};
  const fs::path configFile = workDir / "config.json";
  if (!writeJson(configFile, config, error)) return false;
  const Json configDescriptor =
      addBlob(layout, configFile, "application/vnd.oci.image.config.v1+json", error);
  if (configDescriptor.is_null()) return false;

  const Json manifest = {{"schemaVersion", 2},
                         {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                         {"config", configDescriptor},
                         {"layers", Json::array({layer})}};
  const fs::path manifestFile = workDir / "manifest.json";
  if (!writeJson(manifestFile, manifest, error)) return false;
  Json manifestDescriptor =
      addBlob(layout, manifestFile, "application/vnd.oci.image.manifest.v1+json", error);
  if (manifestDescriptor.is_null()) return false;
  const auto colon = spec.name.rfind(':');
  manifestDescriptor["annotations"] = {{"io.containerd.image.name", spec.name},
                                       {"org.opencontainers.image.ref.name",
                                        colon == std::string::npos ? "latest" : spec.name.substr(colon + 1)}};

  if (!writeJson(layout / "index.json",
                 {{"schemaVersion", 2}, {"manifests", Json::array({manifestDescriptor})}}, error) ||
      !writeJson(layout / "oci-layout", {{"imageLayoutVersion", "1.0.0"}}, error)) {
    return false;
  }
  return run({kTar, "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C",
              layout.string(), "-cf", archive.string(), "oci-layout", "index.json", "blobs"},
             error);
}

}  // namespace daemonlet::testing
