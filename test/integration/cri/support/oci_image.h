#pragma once
// Builds an OCI image-layout tarball (oci-layout, index.json, blobs: one manifest,
// one config, one uncompressed layer) from a directory, with the tar and
// sha256sum CLIs. `ctr images import` and `skopeo copy oci-archive:` read it.
// The layer is reproducible (sorted names, mtime 0, owner root), so the same
// directory gives the same digests in every test binary.
#include <filesystem>
#include <string>
#include <vector>

namespace daemonlet::testing {

struct OciImageSpec {
  // The full reference the image is imported as (index.json's
  // io.containerd.image.name), e.g. "localhost/daemonlet-test/busybox:1".
  std::string name;
  std::filesystem::path rootfs;  // its contents become the one layer
  std::string user;              // config.User ("" leaves it out: root)
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
};

// Writes the tarball to `archive`, using `workDir` (created) for the layout.
// False with `error` set when a tool fails.
bool writeOciArchive(const OciImageSpec& spec, const std::filesystem::path& workDir,
                     const std::filesystem::path& archive, std::string& error);

}  // namespace daemonlet::testing
