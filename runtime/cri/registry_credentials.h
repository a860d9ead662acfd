#pragma once
// Node-wide registry credentials from a Docker config.json, matched to an image
// the way the kubelet's credential keyring matches them
// (pkg/credentialprovider): a key is a registry host with optional port and
// path ("registry.example:5000/team"), an optional "http(s)://" scheme and
// "*." wildcards in the host; an image matches a key when the hosts match
// (port included, wildcards per label), and the key's path is a prefix of the
// image's path. The most specific key wins. "https://index.docker.io/v1/" and
// "index.docker.io" stand for docker.io.
//
// Proto-free: the CRI runtime copies a RegistryAuth into runtime.v1.AuthConfig.
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "runtime/cri/image_reference.h"

namespace daemonlet::runtime::cri {

struct RegistryAuth {
  std::string username;
  std::string password;
  std::string auth;           // base64 "user:password" as found; decoded into username/password too
  std::string identityToken;  // "identitytoken"

  bool operator==(const RegistryAuth&) const = default;
};

class RegistryCredentials {
 public:
  // Parses a config.json text ({"auths": {"<key>": {"auth": ..., "username": ...,
  // "password": ..., "identitytoken": ...}}}). Errors name the key and field
  // ("auths[\"quay.io\"].auth: not base64").
  static base::Result<RegistryCredentials> parse(const std::string& json);
  // Reads a file; a missing file means no credentials (as the kubelet), an
  // unreadable or malformed one is an error naming the file.
  static base::Result<RegistryCredentials> load(const std::string& path);

  // The credentials to try for an image, most specific key first (the kubelet
  // tries each until a pull succeeds); empty: pull anonymously.
  std::vector<RegistryAuth> lookup(const ImageReference& image) const;

  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string host;  // lower-case, port kept, "docker.io" for the index
    std::string path;  // without leading/trailing "/"
    RegistryAuth auth;
  };
  std::vector<Entry> entries_;
};

}  // namespace daemonlet::runtime::cri
